/**
 * The operator contract. The task calls the `handle*` methods, which attribute any
 * failure to this operator and hand the output over; subclasses implement `process*`.
 *
 * Lifecycle, as Flink's: initializeState (restore; keyed state is already in the backend),
 * open, then batches, watermarks and timers; at each checkpoint snapshotState, later
 * notifyCheckpointComplete or notifyCheckpointAborted; at the end finish and close.
 */
import type { OperatorStateSnapshot, StateInitializationContext } from '../state/operator-state.ts';
import type { RecordBatch } from '../stream-element.ts';
import type { Output } from './output.ts';
import type { OperatorSetup } from './operator-setup.ts';
import { OperatorError } from './operator-error.ts';

export abstract class StreamOperator {
  output!: Output;
  setup!: OperatorSetup;

  init(setup: OperatorSetup, output: Output): void {
    this.setup = setup;
    this.output = output;
  }

  get name(): string {
    return this.setup.name;
  }

  /** Restores the operator's own state; keyed state was restored into its backend before. */
  initializeState(_context: StateInitializationContext): void | Promise<void> {}

  open(): void | Promise<void> {}

  /** The operator's own (non-keyed) state at checkpoint `checkpointId`; undefined when it has none. */
  snapshotState(_checkpointId: number): OperatorStateSnapshot | undefined | Promise<OperatorStateSnapshot | undefined> {
    return undefined;
  }

  /** Checkpoint `checkpointId` completed on every task: what it covers is durable now. */
  notifyCheckpointComplete(_checkpointId: number): void | Promise<void> {}

  /** Checkpoint `checkpointId` will never complete. */
  notifyCheckpointAborted(_checkpointId: number): void | Promise<void> {}

  abstract processBatch(batch: RecordBatch, input: number): void;

  /** Called with the combined watermark of one input. */
  processWatermark(timestamp: number, _input: number): void {
    this.output.emitWatermark(timestamp);
  }

  processWatermarkStatus(idle: boolean, _input: number): void {
    this.output.emitWatermarkStatus(idle);
  }

  /** One input has ended (its final +Infinity watermark has already arrived). */
  endInput(_input: number): void {}

  /** All inputs have ended: emit what remains. */
  finish(): void | Promise<void> {}

  close(): void | Promise<void> {}

  /** Makes the state a batch will touch readable synchronously; undefined when nothing to wait for. */
  prefetch(_batch: RecordBatch, _input: number): Promise<void> | undefined {
    return undefined;
  }

  /** The same for the event-time timers this watermark will fire. */
  prefetchEventTimers(_watermark: number): Promise<void> | undefined {
    return undefined;
  }

  /** The same for the processing-time timers due at `now`. */
  prefetchProcessingTimers(_now: number): Promise<void> | undefined {
    return undefined;
  }

  fail(err: unknown): OperatorError {
    if (err instanceof OperatorError) return err;
    return new OperatorError(this.setup.name, this.setup.uid, `${this.setup.subtaskIndex + 1}/${this.setup.parallelism}`, err);
  }

  handleBatch(batch: RecordBatch, input: number): void {
    try {
      this.processBatch(batch, input);
      this.output.flush();
    } catch (err) {
      throw this.fail(err);
    }
  }

  handleWatermark(timestamp: number, input: number): void {
    try {
      this.processWatermark(timestamp, input);
      this.output.flush();
    } catch (err) {
      throw this.fail(err);
    }
  }

  handleWatermarkStatus(idle: boolean, input: number): void {
    try {
      this.processWatermarkStatus(idle, input);
    } catch (err) {
      throw this.fail(err);
    }
  }

  handleEndInput(input: number): void {
    try {
      this.endInput(input);
      this.output.flush();
    } catch (err) {
      throw this.fail(err);
    }
  }

  async handleFinish(): Promise<void> {
    try {
      await this.finish();
      this.output.flush();
      this.output.endInput();
    } catch (err) {
      throw this.fail(err);
    }
  }

  async handleInitializeState(context: StateInitializationContext): Promise<void> {
    try {
      await this.initializeState(context);
    } catch (err) {
      throw this.fail(err);
    }
  }

  async handleOpen(): Promise<void> {
    try {
      await this.open();
    } catch (err) {
      throw this.fail(err);
    }
  }

  async handleSnapshotState(checkpointId: number): Promise<OperatorStateSnapshot | undefined> {
    try {
      this.output.flush();
      return await this.snapshotState(checkpointId);
    } catch (err) {
      throw this.fail(err);
    }
  }

  async handleCheckpointComplete(checkpointId: number): Promise<void> {
    try {
      await this.notifyCheckpointComplete(checkpointId);
    } catch (err) {
      throw this.fail(err);
    }
  }

  async handleCheckpointAborted(checkpointId: number): Promise<void> {
    try {
      await this.notifyCheckpointAborted(checkpointId);
    } catch (err) {
      throw this.fail(err);
    }
  }

  async handleClose(): Promise<void> {
    try {
      await this.close();
    } catch (err) {
      throw this.fail(err);
    }
  }
}

/** Calls a rich function's open/close if it has them. */
export async function openFunction(fn: unknown, ctx: unknown): Promise<void> {
  if (typeof fn === 'object' && fn !== null && typeof (fn as { open?: unknown }).open === 'function') {
    await (fn as { open(c: unknown): unknown }).open(ctx);
  }
}

export async function closeFunction(fn: unknown): Promise<void> {
  if (typeof fn === 'object' && fn !== null && typeof (fn as { close?: unknown }).close === 'function') {
    await (fn as { close(): unknown }).close();
  }
}
