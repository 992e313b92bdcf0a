/** KeyedStream: a stream partitioned by key; its operators get keyed state and timers. */
import type { FilterFunction, FlatMapFunction, KeyedProcessFunction, KeySelector, MapFunction, ReduceFunction } from './functions.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import type { OneInputSpec, Transformation } from './transformation.ts';
import type { WindowAssigner } from './windows/assigners.ts';
import type { Window } from './windows/window.ts';
import { SingleOutputStreamOperator, DataStream } from './datastream.ts';
import type { DataStreamSink } from './datastream.ts';
import type { Sink } from './source.ts';
import { WindowedStream } from './windowed-stream.ts';
import { aggregationReducer } from './aggregations.ts';
import type { AggregationKind, FieldRef } from './aggregations.ts';
import { GlobalWindows } from './windows/assigners.ts';
import { CountTrigger, PurgingTrigger } from './windows/triggers.ts';
import { CountEvictor } from './windows/evictors.ts';

export class KeyedStream<T, K> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
    readonly keySelector: KeySelector<T, K>,
  ) {}

  /** @internal */
  keyedOperator<O>(spec: OneInputSpec, name: string): SingleOutputStreamOperator<O> {
    const t = this.env.add({
      type: 'oneInput',
      input: this.transformation,
      spec,
      name,
      keySelector: this.keySelector as KeySelector<unknown, unknown>,
      parallelism: undefined,
      maxParallelism: undefined,
    });
    return new SingleOutputStreamOperator<O>(this.env, t);
  }

  /** This keyed stream as a plain DataStream (records stay partitioned by key). */
  asDataStream(): DataStream<T> {
    return new DataStream<T>(this.env, this.transformation);
  }

  /** Stateless operators work on a keyed stream as on any stream (records stay partitioned by key). */
  map<O>(fn: MapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.asDataStream().map(fn);
  }

  flatMap<O>(fn: FlatMapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.asDataStream().flatMap(fn);
  }

  filter(fn: FilterFunction<T>): SingleOutputStreamOperator<T> {
    return this.asDataStream().filter(fn);
  }

  sinkTo(sink: Sink<T>, name?: string): DataStreamSink {
    return this.asDataStream().sinkTo(sink, name);
  }

  print(prefix?: string): DataStreamSink {
    return this.asDataStream().print(prefix);
  }

  collect(name?: string): DataStreamSink {
    return this.asDataStream().collect(name);
  }

  process<O>(fn: KeyedProcessFunction<K, T, O>): SingleOutputStreamOperator<O> {
    return this.keyedOperator({ kind: 'keyedProcess', fn: fn as KeyedProcessFunction<unknown, unknown, unknown> }, 'KeyedProcess');
  }

  /** Rolling reduce: emits the updated aggregate for the record's key on every record. */
  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    return this.keyedOperator({ kind: 'rollingReduce', reduce: fn as ReduceFunction<unknown> }, 'Keyed Reduce');
  }

  private aggregate(kind: AggregationKind, field: FieldRef, first?: boolean): SingleOutputStreamOperator<T> {
    return this.keyedOperator({ kind: 'rollingReduce', reduce: aggregationReducer<unknown>(kind, field, first) }, `Keyed Aggregation(${kind})`);
  }

  sum(field?: FieldRef): SingleOutputStreamOperator<T> {
    return this.aggregate('sum', field);
  }

  min(field?: FieldRef): SingleOutputStreamOperator<T> {
    return this.aggregate('min', field);
  }

  max(field?: FieldRef): SingleOutputStreamOperator<T> {
    return this.aggregate('max', field);
  }

  minBy(field?: FieldRef, first = true): SingleOutputStreamOperator<T> {
    return this.aggregate('minBy', field, first);
  }

  maxBy(field?: FieldRef, first = true): SingleOutputStreamOperator<T> {
    return this.aggregate('maxBy', field, first);
  }

  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /** Windows of `size` elements per key, sliding by `slide` elements when given. */
  countWindow(size: number, slide?: number): WindowedStream<T, K, Window> {
    const windowed = this.window(GlobalWindows.create() as WindowAssigner<T, Window>);
    if (slide === undefined) return windowed.trigger(PurgingTrigger.of(CountTrigger.of(size)));
    return windowed.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
  }
}
