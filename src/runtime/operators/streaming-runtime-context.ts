import type { RuntimeContext } from '../../api/runtime-context.ts';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../../api/state.ts';
import { WeirError } from '../../errors/index.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import type { OperatorSetup } from './operator-setup.ts';

/** The RuntimeContext functions get in open(); state getters need a keyed stream. */
export class StreamingRuntimeContext implements RuntimeContext {
  constructor(private readonly setup: OperatorSetup) {}

  private backend(what: string): KeyedStateBackend {
    const b = this.setup.stateBackend;
    if (!b) {
      throw new WeirError('KEYED_STATE_ON_NON_KEYED_STREAM', `${what} is keyed state and needs a keyed stream; call keyBy(...) before this operator`, false);
    }
    return b;
  }

  getTaskName(): string {
    return this.setup.name;
  }
  getIndexOfThisSubtask(): number {
    return this.setup.subtaskIndex;
  }
  getNumberOfParallelSubtasks(): number {
    return this.setup.parallelism;
  }
  getMaxNumberOfParallelSubtasks(): number {
    return this.setup.maxParallelism;
  }
  getJobParameters(): Readonly<Record<string, string>> {
    return this.setup.jobParameters;
  }
  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.backend(`ValueState "${d.name}"`).getValueState(d);
  }
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.backend(`ListState "${d.name}"`).getListState(d);
  }
  getMapState<UK, UV>(d: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.backend(`MapState "${d.name}"`).getMapState(d);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.backend(`ReducingState "${d.name}"`).getReducingState(d);
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.backend(`AggregatingState "${d.name}"`).getAggregatingState(d);
  }
}
