/** Base of operators on keyed streams: sets the current key per record and owns the timers. */
import { WeirError, errorMessage } from '../errors.ts';
import { checkKey } from '../state/key-group.ts';
import type { KeyValue } from '../state/key-group.ts';
import type { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { InternalTimerService } from '../task/internal-timer-service.ts';
import type { Timer, TimerTarget } from '../task/internal-timer-service.ts';
import type { RecordBatch } from '../stream-element.ts';
import { StreamOperator } from './stream-operator.ts';

export abstract class KeyedOperator extends StreamOperator implements TimerTarget {
  protected backend!: KeyedStateBackend;
  protected timers!: InternalTimerService;

  override open(): void | Promise<void> {
    const backend = this.setup.stateBackend;
    if (!backend) throw new Error(`internal: keyed operator "${this.setup.name}" has no state backend`);
    this.backend = backend;
    this.timers = new InternalTimerService(backend, this.setup.processingTime, this);
  }

  /** Extracts and checks the key of a record on `input`, and makes it current. */
  protected setKeyOf(value: unknown, input: number): KeyValue {
    const selector = this.setup.keySelectors[input]!;
    const key = selector(value);
    checkKey(key);
    this.backend.setCurrentKey(key);
    return key;
  }

  override prefetch(batch: RecordBatch, input: number): Promise<void> | undefined {
    const selector = this.setup.keySelectors[input]!;
    const keys = new Array<KeyValue>(batch.length);
    try {
      for (let i = 0; i < batch.length; i++) keys[i] = selector(batch.values[i]) as KeyValue;
    } catch (err) {
      // The task calls prefetch outside handleBatch: attribute a throwing key selector here.
      throw this.fail(new WeirError('USER_FUNCTION_FAILED', `the key selector failed: ${errorMessage(err)}`, false, { cause: err }));
    }
    return this.backend.prefetch(keys);
  }

  override processWatermark(timestamp: number, _input: number): void {
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  abstract onEventTime(timer: Timer): void;
  abstract onProcessingTime(timer: Timer): void;
}
