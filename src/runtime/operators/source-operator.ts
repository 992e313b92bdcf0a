/**
 * Heads a source task: polls the reader for a batch at a time into SourceOutputs, which
 * assigns timestamps and generates watermarks inside the source subtask (per split), and
 * takes the reader through checkpoints: its state in snapshots, back on restore.
 */
import type { Source, SourcePoll, SourceReader } from '../../api/source.ts';
import type { WatermarkStrategy } from '../../api/watermarks.ts';
import type { OperatorStateSnapshot, StateInitializationContext } from '../state/operator-state.ts';
import type { RecordBatch } from '../stream-element.ts';
import { SourceOutputs } from './source-outputs.ts';
import { StreamOperator } from './stream-operator.ts';
import { autoWatermarkInterval } from './watermark-interval.ts';
import { DeferredMetricGroup } from './deferred-metric-group.ts';

export class SourceOperator extends StreamOperator {
  private reader!: SourceReader<unknown>;
  private outputs!: SourceOutputs;
  private restored: readonly unknown[] = [];
  private isRestored = false;
  private intervalMs = 0;
  /** The reader's own metrics; bound to the registry when the task's metrics are (if ever). */
  readonly metricGroup = new DeferredMetricGroup();

  constructor(
    readonly source: Source<unknown>,
    /** undefined: records keep the timestamps the reader gives them and no watermarks are generated. */
    private readonly strategy: WatermarkStrategy<unknown> | undefined,
  ) {
    super();
  }

  get recordsOut(): number {
    return this.outputs?.recordsOut ?? 0;
  }

  override initializeState(context: StateInitializationContext): void {
    this.restored = this.source.stateDistribution === 'union' ? context.union : context.list;
    this.isRestored = context.restored;
  }

  override open(): void {
    const s = this.setup;
    this.outputs = new SourceOutputs(this.output, this.strategy, s.processingTime);
    this.reader = this.source.createReader({
      subtaskIndex: s.subtaskIndex,
      parallelism: s.parallelism,
      currentProcessingTime: () => s.processingTime.now(),
      jobParameters: s.jobParameters,
      restoredState: this.restored,
      isRestored: this.isRestored,
      metricGroup: this.metricGroup,
    });
    this.intervalMs = autoWatermarkInterval(s.config);
    if (this.outputs.generatesWatermarks && this.intervalMs > 0) s.processingTime.schedule(s.processingTime.now() + this.intervalMs, this);
  }

  /** Periodic watermark emission. */
  onProcessingTime(time: number): void {
    try {
      this.outputs.periodicEmit();
    } catch (err) {
      throw this.fail(err);
    }
    const pts = this.setup.processingTime;
    pts.schedule(Math.max(time + this.intervalMs, pts.now()), this);
  }

  /** Polls up to maxRecords records into the chain. */
  poll(maxRecords: number): SourcePoll {
    try {
      const result = this.reader.pollNext(this.outputs, maxRecords);
      this.output.flush();
      return result;
    } catch (err) {
      throw this.fail(err);
    }
  }

  processBatch(_batch: RecordBatch): void {
    throw new Error('internal: a source has no input');
  }

  override snapshotState(checkpointId: number): OperatorStateSnapshot | undefined {
    const state = this.reader.snapshotState?.(checkpointId);
    if (state === undefined) return undefined;
    return this.source.stateDistribution === 'union' ? { union: state } : { list: state };
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.reader.notifyCheckpointComplete?.(checkpointId);
  }

  override async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    await this.reader.notifyCheckpointAborted?.(checkpointId);
  }

  override async finish(): Promise<void> {
    this.outputs.end();
  }

  /** Stop with drain: the final watermark now, though the channels stay open for the savepoint's barrier. */
  drain(): void {
    this.outputs.end();
  }

  override async close(): Promise<void> {
    await this.reader?.close?.();
  }
}
