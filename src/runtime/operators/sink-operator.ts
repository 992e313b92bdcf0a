import type { Sink, SinkWriter } from '../../api/source.ts';
import type { OperatorStateSnapshot, StateInitializationContext } from '../state/operator-state.ts';
import type { RecordBatch } from '../stream-element.ts';
import { StreamOperator } from './stream-operator.ts';
import { parseCheckpointConfig } from '../checkpoint/checkpoint-config.ts';

/** Feeds batches to a sink writer; async writes are awaited by the task before its next step. */
export class SinkOperator extends StreamOperator {
  private writer!: SinkWriter<unknown>;
  private restored: readonly unknown[] = [];
  recordsWritten = 0;

  constructor(private readonly sink: Sink<unknown>) {
    super();
  }

  override initializeState(context: StateInitializationContext): void {
    this.restored = context.list;
  }

  override open(): void {
    const s = this.setup;
    this.writer = this.sink.createWriter({
      subtaskIndex: s.subtaskIndex,
      parallelism: s.parallelism,
      taskName: s.name,
      jobParameters: s.jobParameters,
      configuration: s.config,
      addToResult: (name, values) => s.addToResult(name, values),
      restoredState: this.restored,
      checkpointIntervalMs: parseCheckpointConfig(s.config).intervalMs,
      finalCheckpoint: s.finalCheckpoint,
    });
  }

  processBatch(batch: RecordBatch): void {
    this.recordsWritten += batch.length;
    const done = this.writer.write(batch.values, batch.timestamps);
    if (done) this.setup.trackAsync(done);
  }

  override processWatermark(): void {}

  override async snapshotState(checkpointId: number): Promise<OperatorStateSnapshot | undefined> {
    // What was written before the barrier is handed to the external system first.
    await this.writer.flush?.();
    const state = await this.writer.snapshotState?.(checkpointId);
    return state === undefined ? undefined : { list: state };
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.writer.notifyCheckpointComplete?.(checkpointId);
  }

  override async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    await this.writer.notifyCheckpointAborted?.(checkpointId);
  }

  override async finish(): Promise<void> {
    await this.writer.flush?.();
    await this.writer.finish?.();
  }

  override async close(): Promise<void> {
    await this.writer.close?.();
  }
}
