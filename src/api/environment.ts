/**
 * StreamExecutionEnvironment: where a job's main declares its sources and settings. The
 * runtime creates it, calls the job's main, then plans and runs what main declared.
 */
import type { Source } from './source.ts';
import type { Transformation } from './transformation.ts';
import { WatermarkStrategy } from './watermarks.ts';
import { DataStream, SingleOutputStreamOperator } from './datastream.ts';
import { ElementsSource } from './sources/elements-source.ts';
import { CheckpointConfig } from './checkpoint-config.ts';
import type { CheckpointingMode } from './checkpoint-config.ts';

export type JobArgs = Readonly<Record<string, string>>;
export type JobMain = (env: StreamExecutionEnvironment, args: JobArgs) => void | Promise<void>;

export interface JobDefinition {
  readonly kind: 'weir.job';
  readonly main: JobMain;
}

/** What a job module exports as default. */
export function defineJob(main: JobMain): JobDefinition {
  if (typeof main !== 'function') throw new TypeError('defineJob needs a function (env, args) => { ... }');
  return { kind: 'weir.job', main };
}

export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === 'object' && value !== null && (value as JobDefinition).kind === 'weir.job' && typeof (value as JobDefinition).main === 'function';
}

export class StreamExecutionEnvironment {
  private readonly transformations: Transformation[] = [];
  private parallelism: number | undefined;
  private maxParallelism: number | undefined;
  private jobName: string | undefined;
  private readonly config = new Map<string, string>();
  private chainingEnabled = true;

  setParallelism(parallelism: number): this {
    this.parallelism = parallelism;
    return this;
  }

  /** The parallelism the job set, if any (otherwise the runner's default applies). */
  getParallelism(): number | undefined {
    return this.parallelism;
  }

  setMaxParallelism(maxParallelism: number): this {
    this.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number | undefined {
    return this.maxParallelism;
  }

  setJobName(name: string): this {
    this.jobName = name;
    return this;
  }

  getJobName(): string | undefined {
    return this.jobName;
  }

  /** Sets a configuration key, with Flink's names (e.g. `pipeline.auto-watermark-interval`). */
  configure(key: string, value: string | number | boolean): this {
    this.config.set(key, String(value));
    return this;
  }

  getConfiguration(): ReadonlyMap<string, string> {
    return this.config;
  }

  /** Takes a checkpoint every `intervalMs` (Flink's enableCheckpointing). */
  enableCheckpointing(intervalMs: number, mode: CheckpointingMode = 'EXACTLY_ONCE'): this {
    if (!(intervalMs >= 10)) throw new RangeError(`enableCheckpointing needs an interval of at least 10ms, got ${intervalMs}`);
    this.getCheckpointConfig().setCheckpointInterval(intervalMs).setCheckpointingMode(mode);
    return this;
  }

  getCheckpointConfig(): CheckpointConfig {
    return new CheckpointConfig((key, value) => this.configure(key, value));
  }

  disableOperatorChaining(): this {
    this.chainingEnabled = false;
    return this;
  }

  isChainingEnabled(): boolean {
    return this.chainingEnabled;
  }

  fromElements<T>(...values: T[]): SingleOutputStreamOperator<T> {
    return this.fromCollection(values);
  }

  fromCollection<T>(values: Iterable<T>): SingleOutputStreamOperator<T> {
    return this.fromSource(new ElementsSource<T>([...values]), WatermarkStrategy.noWatermarks<T>(), 'Collection Source');
  }

  /**
   * Adds a source. As in Flink, the watermark strategy runs inside the source subtask,
   * per split of the source, so a lagging split holds the watermark back wherever it is
   * read; `assignTimestampsAndWatermarks` is the separate operator for other streams.
   */
  fromSource<T>(source: Source<T>, watermarkStrategy: WatermarkStrategy<T>, name: string): SingleOutputStreamOperator<T> {
    const generates = !(watermarkStrategy.emitsNoWatermarks && watermarkStrategy.timestampAssigner === undefined);
    const t = this.add({
      type: 'source',
      source: source as Source<unknown>,
      watermarkStrategy: generates ? (watermarkStrategy as WatermarkStrategy<unknown>) : undefined,
      name: `Source: ${name}`,
      maxParallelism: undefined,
      parallelism: source.maxParallelism === 1 ? 1 : undefined,
    });
    return new SingleOutputStreamOperator<T>(this, t);
  }

  /** @internal Used by the stream classes to register what they create. */
  add<T extends Transformation>(fields: DistributiveOmit<T, 'index' | 'uid' | 'chainingDisabled'> & Partial<Pick<T, 'uid'>>): T {
    const t = { uid: undefined, chainingDisabled: false, ...fields, index: this.transformations.length } as unknown as T;
    this.transformations.push(t);
    return t;
  }

  /** Every transformation main declared, in creation order. */
  getTransformations(): readonly Transformation[] {
    return this.transformations;
  }

  /** @internal */
  wrap<T>(t: Transformation): DataStream<T> {
    return new DataStream<T>(this, t);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
