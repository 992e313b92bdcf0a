/** DataStream: the stream job authors transform. Every method adds a transformation. */
import type {
  FilterFunction,
  FlatMapFunction,
  KeySelector,
  MapFunction,
  OutputTag,
  ProcessFunction,
} from './functions.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import type { Sink } from './source.ts';
import type { OneInputSpec, PartitionerKind, PhysicalTransformation, Transformation } from './transformation.ts';
import type { WatermarkStrategy } from './watermarks.ts';
import type { WindowAssigner } from './windows/assigners.ts';
import type { Window } from './windows/window.ts';
import { KeyedStream } from './keyed-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { AllWindowedStream } from './windowed-stream.ts';
import { PrintSink } from './sinks/print-sink.ts';
import { CollectSink } from './sinks/collect-sink.ts';

export class DataStream<T> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
  ) {}

  /** @internal */
  protected oneInput<O>(spec: OneInputSpec, name: string, keySelector?: KeySelector<unknown, unknown>): SingleOutputStreamOperator<O> {
    const t = this.env.add({ type: 'oneInput', input: this.transformation, spec, name, keySelector, parallelism: undefined, maxParallelism: undefined });
    return new SingleOutputStreamOperator<O>(this.env, t);
  }

  private partition(partitioner: PartitionerKind): DataStream<T> {
    const t = this.env.add({
      type: 'partition',
      input: this.transformation,
      partitioner,
      keySelector: undefined,
      name: partitioner,
      parallelism: undefined,
      maxParallelism: undefined,
    });
    return new DataStream<T>(this.env, t);
  }

  map<O>(fn: MapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.oneInput({ kind: 'map', fn: fn as MapFunction<unknown, unknown> }, 'Map');
  }

  flatMap<O>(fn: FlatMapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.oneInput({ kind: 'flatMap', fn: fn as FlatMapFunction<unknown, unknown> }, 'Flat Map');
  }

  filter(fn: FilterFunction<T>): SingleOutputStreamOperator<T> {
    return this.oneInput({ kind: 'filter', fn: fn as FilterFunction<unknown> }, 'Filter');
  }

  process<O>(fn: ProcessFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.oneInput({ kind: 'process', fn: fn as ProcessFunction<unknown, unknown> }, 'Process');
  }

  keyBy<K>(keySelector: KeySelector<T, K>): KeyedStream<T, K> {
    const t = this.env.add({
      type: 'partition',
      input: this.transformation,
      partitioner: 'hash',
      keySelector: keySelector as KeySelector<unknown, unknown>,
      name: 'keyBy',
      parallelism: undefined,
      maxParallelism: undefined,
    });
    return new KeyedStream<T, K>(this.env, t, keySelector);
  }

  /** Round-robin over all downstream subtasks. */
  rebalance(): DataStream<T> {
    return this.partition('rebalance');
  }

  /** Round-robin over a subset of downstream subtasks, to avoid all-to-all connections. */
  rescale(): DataStream<T> {
    return this.partition('rescale');
  }

  /** Every record to every downstream subtask. */
  broadcast(): DataStream<T> {
    return this.partition('broadcast');
  }

  /** Subtask i to subtask i; needs equal parallelism. */
  forward(): DataStream<T> {
    return this.partition('forward');
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    const t = this.env.add({
      type: 'union',
      inputs: [this.transformation, ...others.map((o) => o.transformation)],
      name: 'Union',
      parallelism: undefined,
      maxParallelism: undefined,
    });
    return new DataStream<T>(this.env, t);
  }

  connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2> {
    return new ConnectedStreams<T, T2>(this.env, this, other);
  }

  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    return this.oneInput({ kind: 'timestampsAndWatermarks', strategy: strategy as WatermarkStrategy<unknown> }, 'Timestamps/Watermarks');
  }

  /** A window over the whole stream; runs with parallelism 1. */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this, assigner);
  }

  sinkTo(sink: Sink<T>, name = 'Sink'): DataStreamSink {
    const t = this.oneInput<never>({ kind: 'sink', sink: sink as Sink<unknown> }, `Sink: ${name}`);
    return new DataStreamSink(t.transformation as PhysicalTransformation);
  }

  /** Prints each record to stdout, prefixed with `subtask>` when parallelism > 1 (as Flink). */
  print(prefix?: string): DataStreamSink {
    return this.sinkTo(new PrintSink<T>(prefix), 'Print to Std. Out');
  }

  /** Sends every record to the job result under `name` (tests and small jobs). */
  collect(name = 'collect'): DataStreamSink {
    return this.sinkTo(new CollectSink<T>(name), `Collect(${name})`);
  }
}

/** A stream made by an operator: it can be named, given a uid and a parallelism. */
export class SingleOutputStreamOperator<T> extends DataStream<T> {
  private get physical(): PhysicalTransformation {
    return this.transformation as PhysicalTransformation;
  }

  name(name: string): this {
    this.physical.name = name;
    return this;
  }

  /** Stable operator id: what keeps savepoint state matched to this operator across code changes. */
  uid(uid: string): this {
    this.physical.uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    this.physical.parallelism = parallelism;
    return this;
  }

  setMaxParallelism(maxParallelism: number): this {
    this.physical.maxParallelism = maxParallelism;
    return this;
  }

  disableChaining(): this {
    this.physical.chainingDisabled = true;
    return this;
  }

  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t = this.env.add({
      type: 'sideOutput',
      input: this.transformation,
      tag: tag as OutputTag<unknown>,
      name: `SideOutput(${tag.id})`,
      parallelism: undefined,
      maxParallelism: undefined,
    });
    return new DataStream<X>(this.env, t);
  }
}

export class DataStreamSink {
  constructor(readonly transformation: PhysicalTransformation) {}

  name(name: string): this {
    this.transformation.name = name;
    return this;
  }

  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    this.transformation.parallelism = parallelism;
    return this;
  }
}
