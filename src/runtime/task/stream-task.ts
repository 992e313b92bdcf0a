/**
 * One subtask of a vertex: its operator chain, input channels and record writers, and its
 * lifecycle. The task group's loop calls `runMessages` (the control inbox), `fireTimers`
 * and `step` (data: a source task polls its SourceDriver, any other reads its channels
 * through its InputProcessor) when the task can make progress; each returns a promise only
 * when it must wait (async state, I/O, a snapshot). The task tracks its own ExecutionState.
 *
 * With checkpointing on, a task whose input ended finishes its operators and then waits,
 * still RUNNING, for a final checkpoint (Flink's FLIP-147): its snapshot holds what the
 * operators left after finishing (a transactional sink's last transaction), and only once a
 * checkpoint taken after the end completes are the operators told and closed. A JobManager
 * that fails over in between restores a checkpoint that records that transaction.
 */
import type { SubtaskRestore, SubtaskSnapshot } from '../checkpoint/subtask-state.ts';
import type { InputChannel } from '../network/local-channel.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import type { SourceOperator } from '../operators/source-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { CheckpointBarrier } from '../stream-element.ts';
import { SourceDriver } from './source-driver.ts';
import { ControlInbox } from './control-inbox.ts';
import type { ControlMessage } from './control-inbox.ts';
import type { ExecutionState } from './execution-state.ts';
import { InputProcessor } from './input-processor.ts';
import type { ProcessingTimeService } from './processing-time-service.ts';
import { OperatorChain } from './operator-chain.ts';
import type { WatermarkValve } from './watermark-valve.ts';

/** Times work of a task that ends outside the loop (metrics' busy time). */
export interface WorkTimer {
  begin(): void;
  end(): void;
}

/** What a task tells its group: state changes and checkpoint answers. */
export interface TaskEvents {
  stateChanged(task: StreamTask, state: ExecutionState): void;
  checkpointAcknowledged(task: StreamTask, snapshot: SubtaskSnapshot): void;
  checkpointDeclined(task: StreamTask, checkpointId: number, reason: string): void;
  /** The task's input ended and its operators finished: it waits for a final checkpoint. */
  inputEnded(task: StreamTask): void;
}

export class StreamTask {
  readonly inputs: InputChannel[] = [];
  readonly writers: RecordWriter[] = [];
  readonly inbox: ControlInbox;
  private readonly chain: OperatorChain;
  private readonly input: InputProcessor;
  private readonly pending: Promise<void>[] = [];
  private readonly sourceDriver: SourceDriver | undefined;
  /** Async work of the last step (sink writes) this task waits for before running again. */
  private blockedOn: Promise<void> | undefined;
  state: ExecutionState = 'DEPLOYING';
  /** Finished, cancelled or failed: the loop runs it no more. */
  done = false;
  /** Its input ended and its operators finished; with a final checkpoint it waits for one. */
  private ended = false;
  /** The newest checkpoint this task snapshotted. */
  private lastCheckpointId = 0;
  /** The first checkpoint snapshotted after the end: its completion (or a later one's) finishes the task. */
  private finalCheckpointId: number | undefined;
  /** A trigger that reached a task that is neither a source nor ended: its barrier comes in band, or the end comes first. */
  private owedTrigger: CheckpointBarrier | undefined;
  /** A failure that happened outside a step (a rejected source promise). */
  asyncFailure: unknown;
  /** Set when metrics are on: times the async writes this task waits for. */
  ownWorkTimer: WorkTimer | undefined;

  constructor(
    readonly name: string,
    readonly vertexId: string,
    readonly subtaskIndex: number,
    readonly parallelism: number,
    readonly operators: StreamOperator[],
    readonly source: SourceOperator | undefined,
    readonly processingTime: ProcessingTimeService,
    batchSize: number,
    private readonly wake: () => void,
    private readonly events: TaskEvents,
    /** Whether the task waits for a final checkpoint after its input ends (checkpointing on). */
    private readonly finalCheckpoint = false,
  ) {
    this.inbox = new ControlInbox(wake);
    this.chain = new OperatorChain(operators);
    this.sourceDriver = source ? new SourceDriver(source, batchSize, wake, (err) => (this.asyncFailure = err)) : undefined;
    this.input = new InputProcessor(this.inputs, this.chain.head, {
      isDone: () => this.done,
      writersHaveCapacity: () => this.writersHaveCapacity(),
      aligned: (barrier) => this.performCheckpoint(barrier),
      alignmentAborted: (id) => this.events.checkpointDeclined(this, id, `checkpoint ${id} was still aligning at ${this.name} when a barrier of a newer checkpoint arrived`),
      inputsEnded: () => this.finish(),
    });
  }

  get head(): StreamOperator {
    return this.chain.head;
  }

  /** Each input's watermark valve (one per input of a two-input operator). */
  get valves(): readonly WatermarkValve[] {
    return this.input.valves;
  }

  /** Records that arrived on the input channels. */
  get recordsIn(): number {
    return this.input.recordsIn;
  }

  /** The minimum of the inputs' watermarks. */
  get inputWatermark(): number {
    return this.input.inputWatermark;
  }

  /** How long the last checkpoint's barriers took to align here (a metric). */
  get lastAlignmentDurationMs(): number {
    return this.input.lastAlignmentDurationMs;
  }

  /** Finished normally: its operators ended and closed. */
  get finished(): boolean {
    return this.state === 'FINISHED';
  }

  private moveTo(state: ExecutionState): void {
    this.state = state;
    this.events.stateChanged(this, state);
  }

  /** Call after all input channels are attached. */
  setupInputs(inputCount: number): void {
    this.input.setup(inputCount);
  }

  trackAsync(work: Promise<void>): void {
    this.pending.push(work);
  }

  /** Input arrived: an idle loop may be waiting for it. */
  notifyAvailable(): void {
    this.wake();
  }

  /**
   * INITIALIZING: restores keyed state into the operators' backends, then each operator's
   * own state, and opens it; tail first, so an operator's downstream is ready before it
   * can emit (as Flink). Then RUNNING.
   */
  async initialize(restore: SubtaskRestore | undefined): Promise<void> {
    this.moveTo('INITIALIZING');
    await this.chain.initialize(restore);
    this.moveTo('RUNNING');
  }

  writersHaveCapacity(): boolean {
    for (const w of this.writers) if (!w.hasCapacity()) return false;
    return true;
  }

  canRun(now: number): boolean {
    if (this.done || this.ended || this.blockedOn || !this.writersHaveCapacity()) return false;
    if (this.sourceDriver) return this.sourceDriver.canPoll(now);
    return this.input.hasInput();
  }

  /** Waiting for async work it started itself (sink writes). */
  isBlockedOnOwnWork(): boolean {
    return this.blockedOn !== undefined;
  }

  /** Whether the task waits on something outside the loop (I/O, a suspended source for the rest of its stop, the final checkpoint). */
  isWaitingOnIo(): boolean {
    return this.sourceDriver?.waitingOutside === true || this.blockedOn !== undefined || (this.ended && !this.done);
  }

  /**
   * When the task wants to run next on its own: a timer, or a paced source's next poll.
   * A source whose outputs are full is left out: freed capacity wakes the loop, and
   * counting its past ready time would make the loop spin instead of waiting.
   */
  nextWakeTime(): number {
    if (this.done || this.ended) return Infinity;
    const timers = this.processingTime.nextTime();
    return this.sourceDriver && this.writersHaveCapacity() ? Math.min(timers, this.sourceDriver.nextPollTime()) : timers;
  }

  /** Handles every message in the inbox, in order; a promise when one must wait. */
  runMessages(): Promise<void> | undefined {
    for (let m = this.inbox.take(); m; m = this.inbox.take()) {
      const r = this.handleControl(m);
      if (r) return r.then(() => this.runMessages());
    }
    return undefined;
  }

  /** When the earliest processing-time timer is due (Infinity: none). */
  nextTimerTime(): number {
    return this.done ? Infinity : this.processingTime.nextTime();
  }

  /** Fires the processing-time timers due at `now` (their keys prefetched first); resolves to how many fired. */
  fireTimers(now: number): Promise<number> | number {
    if (this.done) return 0;
    const ready = this.head.prefetchProcessingTimers(now);
    if (ready) return ready.then(() => this.processingTime.fireDue(now));
    return this.processingTime.fireDue(now);
  }

  private handleControl(m: ControlMessage): Promise<void> | undefined {
    switch (m.kind) {
      case 'triggerCheckpoint':
        return this.onTrigger(m.barrier);
      case 'suspendSource':
        // A source that ended already sent its final watermark and the end of its partitions.
        if (!this.done && !this.ended) this.sourceDriver?.suspend(m.drain);
        return undefined;
      case 'resumeSource':
        this.sourceDriver?.resume();
        return undefined;
      case 'checkpointComplete':
        return this.done ? undefined : this.onCheckpointComplete(m.checkpointId);
      case 'checkpointAborted':
        if (this.owedTrigger?.checkpointId === m.checkpointId) this.owedTrigger = undefined;
        return this.done ? undefined : this.chain.notifyCheckpointAborted(m.checkpointId);
      case 'cancel':
        return this.done ? undefined : this.cancel();
    }
  }

  /**
   * Every task hears of every checkpoint: a source starts it; a task whose input ended (no
   * barrier can reach it any more) or that is done answers at once; any other task waits for
   * the barrier in band, or answers when its input ends first.
   */
  private onTrigger(barrier: CheckpointBarrier): Promise<void> | undefined {
    if (barrier.checkpointId <= this.lastCheckpointId) return undefined;
    if (this.source || this.ended || this.done) return this.performCheckpoint(barrier);
    this.owedTrigger = barrier;
    return undefined;
  }

  private async onCheckpointComplete(checkpointId: number): Promise<void> {
    await this.chain.notifyCheckpointComplete(checkpointId);
    if (this.ended && this.finalCheckpointId !== undefined && checkpointId >= this.finalCheckpointId) await this.closeFinished();
  }

  step(): Promise<void> | undefined {
    const r = this.source ? this.pollSource() : this.input.process();
    if (this.pending.length === 0) return r;
    const pending = Promise.all(this.pending.splice(0));
    // Finishing and prefetching are awaited by the loop; a sink's own writes only hold
    // back this task, so the loop runs the others meanwhile (and their backpressure shows).
    if (r) return r.then(() => pending).then(() => undefined);
    const timer = this.ownWorkTimer;
    timer?.begin();
    this.blockedOn = pending.then(
      () => {
        timer?.end();
        this.blockedOn = undefined;
        this.wake();
      },
      (err: unknown) => {
        timer?.end();
        this.blockedOn = undefined;
        this.asyncFailure = this.operators[this.operators.length - 1]!.fail(err);
        this.wake();
      },
    );
    return undefined;
  }

  private pollSource(): Promise<void> | undefined {
    return this.sourceDriver!.poll() ? this.finish() : undefined;
  }

  /** Snapshots the chain, passes the barrier on and acknowledges, as a source on trigger or a task once aligned. */
  private async performCheckpoint(barrier: CheckpointBarrier): Promise<void> {
    this.lastCheckpointId = Math.max(this.lastCheckpointId, barrier.checkpointId);
    if (this.owedTrigger !== undefined && this.owedTrigger.checkpointId <= barrier.checkpointId) this.owedTrigger = undefined;
    const alignmentDurationMs = this.input.endAlignment();
    const ack = { vertexId: this.vertexId, subtask: this.subtaskIndex, parallelism: this.parallelism, checkpointId: barrier.checkpointId, savepoint: barrier.savepoint, alignmentDurationMs };
    if (this.done) {
      // A finished task holds no state and its channels ended, which downstream counts as aligned.
      this.events.checkpointAcknowledged(this, { ...ack, operators: this.chain.finishedState(), syncDurationMs: 0 });
      return;
    }
    const started = performance.now();
    // Writes of records before the barrier finish before the snapshot (a sink's own async work).
    if (this.pending.length > 0) await Promise.all(this.pending.splice(0));
    const operators = await this.chain.snapshot(barrier.checkpointId);
    // After the end the channels are over: downstream tasks hear of the checkpoint themselves.
    if (this.ended) this.finalCheckpointId ??= barrier.checkpointId;
    else for (const w of this.writers) w.emitBarrier(barrier);
    this.events.checkpointAcknowledged(this, { ...ack, operators, syncDurationMs: performance.now() - started });
  }

  /**
   * Ends the chain in order (each operator emits what remains); then, with a final
   * checkpoint, waits for one (answering a trigger that came before the end), else closes
   * the chain: FINISHED.
   */
  private async finish(): Promise<void> {
    this.ended = true;
    this.processingTime.clear();
    await this.chain.finish();
    if (!this.finalCheckpoint) return this.closeFinished();
    this.events.inputEnded(this);
    const owed = this.owedTrigger;
    if (owed !== undefined) return this.performCheckpoint(owed);
  }

  private async closeFinished(): Promise<void> {
    this.done = true;
    const closeError = await this.closeOperators();
    if (closeError !== undefined) throw closeError;
    this.moveTo('FINISHED');
  }

  /** CANCELING, then closes the operators without finishing them: CANCELED (FAILED if closing fails). */
  async cancel(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.moveTo('CANCELING');
    const closeError = await this.closeOperators();
    this.moveTo(closeError === undefined ? 'CANCELED' : 'FAILED');
    if (closeError !== undefined) throw closeError;
  }

  /** The task failed: closes every operator and reports FAILED; returns the first error closing raised, if any. */
  async fail(): Promise<unknown> {
    if (this.state === 'FAILED' || this.state === 'FINISHED' || this.state === 'CANCELED') return undefined;
    this.done = true;
    const closeError = await this.closeOperators();
    this.moveTo('FAILED');
    return closeError;
  }

  private closeOperators(): Promise<unknown> {
    this.processingTime.clear();
    return this.chain.close();
  }
}
