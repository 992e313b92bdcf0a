/**
 * Checkpoint settings from the job's main, as Flink's CheckpointConfig: each setter writes
 * the configuration key the runtime reads (a key set on the command line or in
 * config.yaml is overridden by the job's own setting, as in Flink).
 */
export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
export type ExternalizedCheckpointRetention = 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION';

export class CheckpointConfig {
  /** @internal Created by the environment with its configure(). */
  constructor(private readonly set: (key: string, value: string) => void) {}

  setCheckpointInterval(ms: number): this {
    return this.put('execution.checkpointing.interval', `${ms}ms`);
  }

  setCheckpointingMode(mode: CheckpointingMode): this {
    return this.put('execution.checkpointing.mode', mode);
  }

  /** Maximum time a checkpoint may take before it is discarded. */
  setCheckpointTimeout(ms: number): this {
    return this.put('execution.checkpointing.timeout', `${ms}ms`);
  }

  /** Minimum time between the end of one checkpoint and the start of the next. */
  setMinPauseBetweenCheckpoints(ms: number): this {
    return this.put('execution.checkpointing.min-pause', `${ms}ms`);
  }

  setMaxConcurrentCheckpoints(n: number): this {
    return this.put('execution.checkpointing.max-concurrent-checkpoints', String(n));
  }

  /** Checkpoints that may fail in a row before the job fails over. */
  setTolerableCheckpointFailureNumber(n: number): this {
    return this.put('execution.checkpointing.tolerable-failed-checkpoints', String(n));
  }

  setExternalizedCheckpointRetention(retention: ExternalizedCheckpointRetention): this {
    return this.put('execution.checkpointing.externalized-checkpoint-retention', retention);
  }

  /** Flink's older name for setExternalizedCheckpointRetention. */
  setExternalizedCheckpointCleanup(retention: ExternalizedCheckpointRetention): this {
    return this.setExternalizedCheckpointRetention(retention);
  }

  /** Where checkpoints go: a `file://` URI or a path. */
  setCheckpointStorage(location: string): this {
    return this.put('state.checkpoints.dir', location);
  }

  private put(key: string, value: string): this {
    this.set(key, value);
    return this;
  }
}
