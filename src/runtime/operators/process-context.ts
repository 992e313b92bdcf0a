/** One reusable context object per operator, re-pointed at each record (no allocation per record). */
import type { OnTimerContext, OutputTag, TimeDomain, TimerService } from '../../api/functions.ts';
import { WeirError } from '../../errors/index.ts';
import { VOID_NAMESPACE } from '../state/keyed-state-backend.ts';
import type { InternalTimerService } from '../task/internal-timer-service.ts';
import type { StreamOperator } from './stream-operator.ts';

export class ProcessContextImpl implements OnTimerContext<unknown>, TimerService {
  currentTimestamp = NaN;
  domain: TimeDomain = 'EVENT_TIME';
  /** Watermark seen by non-keyed operators (keyed ones read their timer service). */
  watermark = -Infinity;

  constructor(
    private readonly operator: StreamOperator,
    private readonly timers: InternalTimerService | undefined,
  ) {}

  timestamp(): number | undefined {
    return Number.isNaN(this.currentTimestamp) ? undefined : this.currentTimestamp;
  }

  timerService(): TimerService {
    return this;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.operator.output.collectSide(tag.id, value, this.currentTimestamp);
  }

  getCurrentKey(): unknown {
    const backend = this.operator.setup.stateBackend;
    if (!backend) throw new WeirError('NOT_KEYED', 'getCurrentKey() needs a keyed stream', false);
    return backend.getCurrentKey();
  }

  timeDomain(): TimeDomain {
    return this.domain;
  }

  currentProcessingTime(): number {
    return this.operator.setup.processingTime.now();
  }

  currentWatermark(): number {
    return this.timers ? this.timers.currentWatermark : this.watermark;
  }

  private keyedTimers(): InternalTimerService {
    if (!this.timers) {
      throw new WeirError('TIMERS_NEED_KEYED_STREAM', 'timers are only available on keyed streams; call keyBy(...) before this process function', false);
    }
    return this.timers;
  }

  registerEventTimeTimer(time: number): void {
    this.keyedTimers().registerEventTimeTimer(VOID_NAMESPACE, checkTimerTime(time));
  }
  registerProcessingTimeTimer(time: number): void {
    this.keyedTimers().registerProcessingTimeTimer(VOID_NAMESPACE, checkTimerTime(time));
  }
  deleteEventTimeTimer(time: number): void {
    this.keyedTimers().deleteEventTimeTimer(VOID_NAMESPACE, time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.keyedTimers().deleteProcessingTimeTimer(VOID_NAMESPACE, time);
  }
}

/** A NaN (or non-number) time would never fire and, at the head of the timer queue, keep every later timer from firing. */
function checkTimerTime(time: number): number {
  if (typeof time !== 'number' || Number.isNaN(time)) {
    throw new WeirError('INVALID_TIMER_TIME', `a timer needs a time in epoch milliseconds, got ${String(time)}`, true);
  }
  return time;
}
