/**
 * The input side of a task that is not a source (Flink's StreamInputProcessor): reads its
 * channels round-robin, up to 16 elements a step, and hands each to the head operator.
 * Record batches go straight on (their keys prefetched first when the backend must wait);
 * watermarks and idleness pass each input's WatermarkValve; barriers pass the
 * BarrierAlignment, whose time it measures; the end of a channel ends its input once all of
 * that input's channels ended. What concerns the whole task (a snapshot once a barrier is
 * aligned, finishing once every input ended) goes back to it through an `InputHost`.
 * This is the record path: nothing here costs a promise, closure or allocation per batch
 * unless an operator must wait.
 */
import type { InputChannel } from '../network/local-channel.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { CheckpointBarrier, StreamElement } from '../stream-element.ts';
import { BarrierAlignment } from './barrier-alignment.ts';
import type { AlignmentStep } from './barrier-alignment.ts';
import { WatermarkValve } from './watermark-valve.ts';
import type { ValveResult } from './watermark-valve.ts';

const MAX_ELEMENTS_PER_STEP = 16;

/** What the input side hands elements to: the head operator of the task's chain. */
export type InputHead = Pick<StreamOperator, 'prefetch' | 'handleBatch' | 'prefetchEventTimers' | 'handleWatermark' | 'handleWatermarkStatus' | 'handleEndInput'>;

/** What the input side asks of its task. */
export interface InputHost {
  /** Whether the task finished, was cancelled or failed: it reads no more. */
  isDone(): boolean;
  writersHaveCapacity(): boolean;
  /** Every channel delivered `barrier` (or ended): snapshot, then pass it on. */
  aligned(barrier: CheckpointBarrier): Promise<void> | undefined;
  /** A barrier of a newer checkpoint arrived while `checkpointId` was still aligning. */
  alignmentAborted(checkpointId: number): void;
  /** Every input ended. */
  inputsEnded(): Promise<void> | undefined;
}

export class InputProcessor {
  valves: WatermarkValve[] = [];
  private alignment = new BarrierAlignment(0);
  private endedInputs = 0;
  private nextChannel = 0;
  /** When the first barrier of the checkpoint being aligned arrived. */
  private alignmentStartedAt: number | undefined;
  /** How long the last checkpoint's barriers took to align here (a metric). */
  lastAlignmentDurationMs = 0;
  recordsIn = 0;
  inputWatermark = -Infinity;

  constructor(
    /** The task's input channels; attached after construction, before `setup`. */
    private readonly channels: InputChannel[],
    private readonly head: InputHead,
    private readonly host: InputHost,
  ) {}

  /** Call after all input channels are attached. */
  setup(inputCount: number): void {
    this.valves = Array.from({ length: inputCount }, (_, input) => new WatermarkValve(this.channels.filter((c) => c.input === input).length));
    this.alignment = new BarrierAlignment(this.channels.length);
  }

  /** Whether a channel that is not blocked by alignment holds an element. */
  hasInput(): boolean {
    const inputs = this.channels;
    for (let c = 0; c < inputs.length; c++) if (inputs[c]!.size > 0 && !this.alignment.isBlocked(c)) return true;
    return false;
  }

  /** The alignment the snapshot being taken waited for is over: how long it took (0 when there was none). */
  endAlignment(): number {
    const alignmentDurationMs = this.alignmentStartedAt === undefined ? 0 : performance.now() - this.alignmentStartedAt;
    this.alignmentStartedAt = undefined;
    this.lastAlignmentDurationMs = alignmentDurationMs;
    return alignmentDurationMs;
  }

  /** One step: up to 16 elements; a promise when an operator must wait. */
  process(): Promise<void> | undefined {
    const n = this.channels.length;
    let budget = MAX_ELEMENTS_PER_STEP;
    let emptyInARow = 0;
    while (budget > 0 && emptyInARow < n && this.host.writersHaveCapacity()) {
      const index = this.nextChannel;
      const channel = this.channels[index]!;
      this.nextChannel = index + 1 === n ? 0 : index + 1;
      const e = this.alignment.isBlocked(index) ? undefined : channel.poll();
      if (e === undefined) {
        emptyInARow++;
        continue;
      }
      emptyInARow = 0;
      budget--;
      const r = this.processElement(e, channel, index);
      if (r) return r;
      if (this.host.isDone()) return undefined;
    }
    return undefined;
  }

  private processElement(e: StreamElement, channel: InputChannel, index: number): Promise<void> | undefined {
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
        return this.applyValve(this.valves[input]!.inputWatermark(channel.valveIndex, e.timestamp), input);
      case 'status':
        return this.applyValve(this.valves[input]!.inputStatus(channel.valveIndex, e.idle), input);
      case 'barrier':
        this.alignmentStartedAt ??= performance.now();
        return this.onAlignment(this.alignment.onBarrier(index, e));
      case 'end': {
        const valve = this.valves[input]!;
        const aligned = this.onAlignment(this.alignment.onEnded(index));
        const r = this.applyValve(valve.endOfPartition(channel.valveIndex), input);
        const then = (): Promise<void> | undefined => {
          if (!valve.allEnded()) return undefined;
          this.head.handleEndInput(input);
          this.endedInputs++;
          return this.endedInputs === this.valves.length ? this.host.inputsEnded() : undefined;
        };
        const before = aligned && r ? aligned.then(() => r) : (aligned ?? r);
        return before ? before.then(then) : then();
      }
    }
  }

  private onAlignment(step: AlignmentStep): Promise<void> | undefined {
    switch (step.kind) {
      case 'wait':
        return undefined;
      case 'complete':
        return this.host.aligned(step.barrier);
      case 'abort':
        this.alignmentStartedAt = undefined;
        this.host.alignmentAborted(step.abortedId);
        return this.onAlignment(step.then);
    }
  }

  private applyValve(r: ValveResult, input: number): Promise<void> | undefined {
    if (r.idle !== undefined) this.head.handleWatermarkStatus(r.idle, input);
    if (r.watermark === undefined) return undefined;
    this.inputWatermark = Math.min(...this.valves.map((v) => v.current));
    const head = this.head;
    const wm = r.watermark;
    const ready = head.prefetchEventTimers(wm);
    if (ready) return ready.then(() => head.handleWatermark(wm, input));
    head.handleWatermark(wm, input);
    return undefined;
  }
}
