/**
 * One subtask of a vertex: its operator chain, input channels and record writers. The
 * executor calls `step` when the task can make progress; a step processes a bounded
 * number of batches and returns a promise only when it must wait (async state, I/O).
 */
import type { SourcePoll } from '../../api/source.ts';
import { WeirError } from '../../errors/index.ts';
import type { InputChannel } from '../network/local-channel.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import type { SourceOperator } from '../operators/source-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { StreamElement } from '../stream-element.ts';
import type { ProcessingTimeService } from './processing-time-service.ts';
import { WatermarkValve } from './watermark-valve.ts';
import type { ValveResult } from './watermark-valve.ts';

const MAX_ELEMENTS_PER_STEP = 16;

export class StreamTask {
  readonly inputs: InputChannel[] = [];
  readonly writers: RecordWriter[] = [];
  valves: WatermarkValve[] = [];
  private endedInputs = 0;
  private nextChannel = 0;
  private sourceReadyAt = -Infinity;
  private sourceWaiting = false;
  private readonly pending: Promise<void>[] = [];
  /** Async work of the last step (sink writes) this task waits for before running again. */
  private blockedOn: Promise<void> | undefined;
  finished = false;
  /** A failure that happened outside a step (a rejected source promise). */
  asyncFailure: unknown;
  recordsIn = 0;
  inputWatermark = -Infinity;

  constructor(
    readonly name: string,
    readonly vertexId: string,
    readonly subtaskIndex: number,
    readonly operators: StreamOperator[],
    readonly source: SourceOperator | undefined,
    readonly processingTime: ProcessingTimeService,
    private readonly batchSize: number,
    private readonly wake: () => void,
  ) {}

  get head(): StreamOperator {
    return this.operators[0]!;
  }

  /** Call after all input channels are attached. */
  setupInputs(inputCount: number): void {
    this.valves = Array.from({ length: inputCount }, (_, input) => new WatermarkValve(this.inputs.filter((c) => c.input === input).length));
  }

  trackAsync(work: Promise<void>): void {
    this.pending.push(work);
  }

  /** Input arrived: an idle executor loop may be waiting for it. */
  notifyAvailable(): void {
    this.wake();
  }

  async open(): Promise<void> {
    // Tail first, so an operator's downstream is ready before it can emit (as Flink).
    for (let i = this.operators.length - 1; i >= 0; i--) await this.operators[i]!.handleOpen();
  }

  writersHaveCapacity(): boolean {
    for (const w of this.writers) if (!w.hasCapacity()) return false;
    return true;
  }

  canRun(now: number): boolean {
    if (this.finished || this.blockedOn || !this.writersHaveCapacity()) return false;
    if (this.source) return !this.sourceWaiting && now >= this.sourceReadyAt;
    for (const c of this.inputs) if (c.size > 0) return true;
    return false;
  }

  /** Whether the task waits on something outside the executor loop (I/O). */
  /** Waiting for async work it started itself (sink writes). */
  isBlockedOnOwnWork(): boolean {
    return this.blockedOn !== undefined;
  }

  isWaitingOnIo(): boolean {
    return this.sourceWaiting || this.blockedOn !== undefined;
  }

  /**
   * When the task wants to run next on its own: a timer, or a paced source's next poll.
   * A source whose outputs are full is left out: freed capacity wakes the loop, and
   * counting its past ready time would make the loop spin instead of waiting.
   */
  nextWakeTime(): number {
    if (this.finished) return Infinity;
    const timers = this.processingTime.nextTime();
    return this.source && !this.sourceWaiting && this.writersHaveCapacity() ? Math.min(timers, this.sourceReadyAt) : timers;
  }

  /** When the earliest processing-time timer is due (Infinity: none). */
  nextTimerTime(): number {
    return this.finished ? Infinity : this.processingTime.nextTime();
  }

  /** Fires the timers due at `now`; returns how many fired. */
  fireTimers(now: number): number {
    return this.finished ? 0 : this.processingTime.fireDue(now);
  }

  step(): Promise<void> | undefined {
    const r = this.source ? this.pollSource() : this.processInputs();
    if (this.pending.length === 0) return r;
    const pending = Promise.all(this.pending.splice(0));
    // Finishing and prefetching are awaited by the loop; a sink's own writes only hold
    // back this task, so the loop runs the others meanwhile (and their backpressure shows).
    if (r) return r.then(() => pending).then(() => undefined);
    this.blockedOn = pending.then(
      () => {
        this.blockedOn = undefined;
        this.wake();
      },
      (err: unknown) => {
        this.blockedOn = undefined;
        this.asyncFailure = this.operators[this.operators.length - 1]!.fail(err);
        this.wake();
      },
    );
    return undefined;
  }

  private pollSource(): Promise<void> | undefined {
    const r: SourcePoll = this.source!.poll(this.batchSize);
    if (r === 'more') return undefined;
    if (r === 'end') return this.finish();
    if (typeof r === 'number') {
      if (Number.isNaN(r)) {
        // A NaN wake-up time would never come and the executor would spin waiting for it.
        throw this.source!.fail(new WeirError('INVALID_SOURCE_POLL', 'pollNext returned NaN; return a processing time in epoch milliseconds, "more", "end" or a promise', false));
      }
      this.sourceReadyAt = r;
      return undefined;
    }
    this.sourceWaiting = true;
    r.then(
      () => {
        this.sourceWaiting = false;
        this.wake();
      },
      (err: unknown) => {
        this.sourceWaiting = false;
        this.asyncFailure = this.source!.fail(err);
        this.wake();
      },
    );
    return undefined;
  }

  private processInputs(): Promise<void> | undefined {
    const n = this.inputs.length;
    let budget = MAX_ELEMENTS_PER_STEP;
    let emptyInARow = 0;
    while (budget > 0 && emptyInARow < n && this.writersHaveCapacity()) {
      const channel = this.inputs[this.nextChannel]!;
      this.nextChannel = this.nextChannel + 1 === n ? 0 : this.nextChannel + 1;
      const e = channel.poll();
      if (e === undefined) {
        emptyInARow++;
        continue;
      }
      emptyInARow = 0;
      budget--;
      const r = this.processElement(e, channel);
      if (r) return r;
      if (this.finished) return undefined;
    }
    return undefined;
  }

  private processElement(e: StreamElement, channel: InputChannel): Promise<void> | undefined {
    const input = channel.input;
    switch (e.kind) {
      case 'batch': {
        this.recordsIn += e.length;
        const head = this.head;
        const ready = head.prefetch(e, input);
        if (ready) return ready.then(() => head.handleBatch(e, input));
        head.handleBatch(e, input);
        return undefined;
      }
      case 'watermark':
        this.applyValve(this.valves[input]!.inputWatermark(channel.valveIndex, e.timestamp), input);
        return undefined;
      case 'status':
        this.applyValve(this.valves[input]!.inputStatus(channel.valveIndex, e.idle), input);
        return undefined;
      case 'end': {
        const valve = this.valves[input]!;
        this.applyValve(valve.endOfPartition(channel.valveIndex), input);
        if (!valve.allEnded()) return undefined;
        this.head.handleEndInput(input);
        this.endedInputs++;
        return this.endedInputs === this.valves.length ? this.finish() : undefined;
      }
    }
  }

  private applyValve(r: ValveResult, input: number): void {
    if (r.idle !== undefined) this.head.handleWatermarkStatus(r.idle, input);
    if (r.watermark !== undefined) {
      this.inputWatermark = Math.min(...this.valves.map((v) => v.current));
      this.head.handleWatermark(r.watermark, input);
    }
  }

  /** Ends the chain in order (each operator emits what remains), then closes it. */
  private async finish(): Promise<void> {
    this.finished = true;
    this.processingTime.clear();
    for (let i = 0; i < this.operators.length; i++) {
      if (i > 0) this.operators[i]!.handleEndInput(0);
      await this.operators[i]!.handleFinish();
    }
    await this.close();
  }

  async close(): Promise<void> {
    this.processingTime.clear();
    for (const op of this.operators) await op.handleClose();
  }
}
