/** Two streams of possibly different types processed by one two-input operator. */
import type {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
  KeySelector,
} from './functions.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import type { DataStream } from './datastream.ts';
import type { TwoInputSpec } from './transformation.ts';
import { SingleOutputStreamOperator } from './datastream.ts';

export class ConnectedStreams<T1, T2> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly first: DataStream<T1>,
    readonly second: DataStream<T2>,
    private readonly keySelector1?: KeySelector<T1, unknown>,
    private readonly keySelector2?: KeySelector<T2, unknown>,
  ) {}

  /** Partitions both inputs by key, so state and timers are per key across both. */
  keyBy<K>(key1: KeySelector<T1, K>, key2: KeySelector<T2, K>): ConnectedStreams<T1, T2> {
    return new ConnectedStreams(this.env, this.first.keyBy(key1).asDataStream(), this.second.keyBy(key2).asDataStream(), key1, key2);
  }

  private twoInput<O>(spec: TwoInputSpec, name: string): SingleOutputStreamOperator<O> {
    const t = this.env.add({
      type: 'twoInput',
      input1: this.first.transformation,
      input2: this.second.transformation,
      spec,
      name,
      keySelector1: this.keySelector1 as KeySelector<unknown, unknown> | undefined,
      keySelector2: this.keySelector2 as KeySelector<unknown, unknown> | undefined,
      parallelism: undefined,
      maxParallelism: undefined,
    });
    return new SingleOutputStreamOperator<O>(this.env, t);
  }

  map<O>(fn: CoMapFunction<T1, T2, O>): SingleOutputStreamOperator<O> {
    return this.twoInput({ kind: 'coMap', fn: fn as CoMapFunction<unknown, unknown, unknown> }, 'Co-Map');
  }

  flatMap<O>(fn: CoFlatMapFunction<T1, T2, O>): SingleOutputStreamOperator<O> {
    return this.twoInput({ kind: 'coFlatMap', fn: fn as CoFlatMapFunction<unknown, unknown, unknown> }, 'Co-Flat Map');
  }

  process<O>(fn: CoProcessFunction<T1, T2, O> | KeyedCoProcessFunction<unknown, T1, T2, O>): SingleOutputStreamOperator<O> {
    if (this.keySelector1) {
      return this.twoInput({ kind: 'keyedCoProcess', fn: fn as KeyedCoProcessFunction<unknown, unknown, unknown, unknown> }, 'KeyedCo-Process');
    }
    return this.twoInput({ kind: 'coProcess', fn: fn as CoProcessFunction<unknown, unknown, unknown> }, 'Co-Process');
  }
}
