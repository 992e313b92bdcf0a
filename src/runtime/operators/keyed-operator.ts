/**
 * Base of operators on keyed streams: sets the current key per record, owns the timers,
 * and tells the task which keys a batch or a round of timers will touch, so a backend
 * that reads ahead (RocksDB) can fetch them in one go before user code runs.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
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
  /** Names this operator's timers in snapshots. */
  protected readonly timerServiceName: string = 'user-timers';

  override async open(): Promise<void> {
    const backend = this.setup.stateBackend;
    if (!backend) throw new WeirError('INTERNAL', `keyed operator "${this.setup.name}" has no state backend`, false);
    this.backend = backend;
    this.timers = new InternalTimerService(this.timerServiceName, backend, this.setup.processingTime, this);
  }

  /** Extracts and checks the key of a record on `input`, and makes it current. */
  protected setKeyOf(value: unknown, input: number): KeyValue {
    const key = this.keyOf(value, input);
    checkKey(key);
    this.backend.setCurrentKey(key);
    return key;
  }

  /** Runs the user's key selector; a throw is reported as the key selector's. */
  private keyOf(value: unknown, input: number): KeyValue {
    try {
      return this.setup.keySelectors[input]!(value) as KeyValue;
    } catch (err) {
      throw new WeirError('USER_FUNCTION_FAILED', `the key selector failed: ${errorMessage(err)}`, true, { cause: err });
    }
  }

  override prefetch(batch: RecordBatch, input: number): Promise<void> | undefined {
    // Extracting keys costs a user-function call per record: only for backends that read ahead.
    if (!this.backend.prefetches) return undefined;
    const keys = new Array<KeyValue>(batch.length);
    try {
      for (let i = 0; i < batch.length; i++) keys[i] = this.keyOf(batch.values[i], input);
    } catch (err) {
      // The task calls prefetch outside handleBatch, so attribute it to this operator here.
      throw this.fail(err);
    }
    return this.backend.prefetch(keys);
  }

  override prefetchEventTimers(watermark: number): Promise<void> | undefined {
    if (!this.backend.prefetches || this.timers.numEventTimeTimers() === 0) return undefined;
    // Timers kept on disk are read first, then the state of their keys.
    const loading = this.timers.loadEventTimers(watermark);
    if (loading) return loading.then(() => this.backend.prefetch(this.timers.eventTimeKeysDue(watermark)));
    return this.backend.prefetch(this.timers.eventTimeKeysDue(watermark));
  }

  override prefetchProcessingTimers(now: number): Promise<void> | undefined {
    if (!this.backend.prefetches || this.timers.numProcessingTimeTimers() === 0) return undefined;
    const loading = this.timers.loadProcessingTimers(now);
    if (loading) return loading.then(() => this.backend.prefetch(this.timers.processingTimeKeysDue(now)));
    return this.backend.prefetch(this.timers.processingTimeKeysDue(now));
  }

  override processWatermark(timestamp: number, _input: number): void {
    this.timers.advanceWatermark(timestamp);
    this.output.emitWatermark(timestamp);
  }

  abstract onEventTime(timer: Timer): void;
  abstract onProcessingTime(timer: Timer): void;
}
