/** The context a trigger and a process-window function see: scoped to one key and one window. */
import type { OutputTag } from '../../../api/functions.ts';
import type { KeyedStateStore } from '../../../api/keyed-state-store.ts';
import type { ReducingState, ReducingStateDescriptor, StateDescriptor } from '../../../api/state.ts';
import type { OnMergeContext } from '../../../api/windows/triggers.ts';
import type { Window } from '../../../api/windows/window.ts';
import type { ProcessWindowContext } from '../../../api/windows/window-functions.ts';
import type { InternalKvState, InternalMergingState, KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import { WeirError } from '../../../errors/index.ts';
import { VOID_NAMESPACE } from '../../state/keyed-state-backend.ts';
import type { InternalTimerService } from '../../task/internal-timer-service.ts';
import type { Output } from '../output.ts';

type StateGetterName = 'getValueState' | 'getListState' | 'getMapState' | 'getReducingState' | 'getAggregatingState';

/** A KeyedStateStore whose states are scoped to a namespace chosen at each call. */
function scopedStore(backend: KeyedStateBackend, namespace: () => string): KeyedStateStore {
  const scoped = <S>(getter: StateGetterName, d: unknown): S => {
    const s = (backend[getter] as (d: unknown) => InternalKvState)(d);
    s.setCurrentNamespace(namespace());
    return s as S;
  };
  return {
    getState: (d) => scoped('getValueState', d),
    getListState: (d) => scoped('getListState', d),
    getMapState: (d) => scoped('getMapState', d),
    getReducingState: (d) => scoped('getReducingState', d),
    getAggregatingState: (d) => scoped('getAggregatingState', d),
  };
}

export class WindowContext implements OnMergeContext, ProcessWindowContext<Window> {
  window_: Window | undefined;
  /** Windows being merged into window_, during onMerge. */
  mergedWindows: Window[] = [];
  private readonly windowStore: KeyedStateStore;
  private readonly globalStore: KeyedStateStore;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly timers: InternalTimerService,
    private readonly out: Output,
  ) {
    this.windowStore = scopedStore(backend, () => this.current.id);
    this.globalStore = scopedStore(backend, () => VOID_NAMESPACE);
  }

  private get current(): Window {
    if (!this.window_) throw new Error('internal: no current window');
    return this.window_;
  }

  window(): Window {
    return this.current;
  }
  getCurrentProcessingTime(): number {
    return this.timers.currentProcessingTime();
  }
  currentProcessingTime(): number {
    return this.timers.currentProcessingTime();
  }
  getCurrentWatermark(): number {
    return this.timers.currentWatermark;
  }
  currentWatermark(): number {
    return this.timers.currentWatermark;
  }
  registerProcessingTimeTimer(time: number): void {
    this.timers.registerProcessingTimeTimer(this.current.id, time);
  }
  registerEventTimeTimer(time: number): void {
    this.timers.registerEventTimeTimer(this.current.id, time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.timers.deleteProcessingTimeTimer(this.current.id, time);
  }
  deleteEventTimeTimer(time: number): void {
    this.timers.deleteEventTimeTimer(this.current.id, time);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    const s = this.backend.getReducingState(d);
    s.setCurrentNamespace(this.current.id);
    return s;
  }
  mergePartitionedState(d: StateDescriptor): void {
    if (d.kind === 'value' || d.kind === 'map') {
      throw new WeirError('STATE_NOT_MERGEABLE', `state "${d.name}" (${d.kind}) cannot be merged; session windows need list, reducing or aggregating state`, false);
    }
    const getter = `get${d.kind[0]!.toUpperCase()}${d.kind.slice(1)}State` as StateGetterName;
    const s = (this.backend[getter] as (d: unknown) => InternalMergingState)(d);
    s.mergeNamespaces(this.current.id, this.mergedWindows.map((w) => w.id));
  }
  windowState(): KeyedStateStore {
    return this.windowStore;
  }
  globalState(): KeyedStateStore {
    return this.globalStore;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.out.collectSide(tag.id, value, this.current.maxTimestamp());
  }
}
