/**
 * Runs every subtask of a job plan inside this process: builds the tasks, wires them with
 * local channels and the real partitioners, and drives them until the job ends.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { JobPlan } from '../graph/job-plan.ts';
import { localChannels } from '../network/channel-factory.ts';
import type { ChannelFactory } from '../network/channel-factory.ts';
import type { OutputChannel } from '../network/local-channel.ts';
import { connectedTargets } from '../network/channel-selector.ts';
import { RecordWriter } from '../network/record-writer.ts';
import { ChainedOutput, OperatorOutput } from '../operators/chained-output.ts';
import { createOperator, isKeyed, keySelectorsOf } from '../operators/operator-factory.ts';
import type { Output } from '../operators/output.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import { SinkOperator } from '../operators/sink-operator.ts';
import { createKeyedStateBackend, stateBackendType } from '../state/state-backend-factory.ts';
import { KeyGroupRange } from '../state/key-group.ts';
import { ExecutorMetrics } from '../metrics/executor-metrics.ts';
import type { TaskMetricsOptions } from '../metrics/executor-metrics.ts';
import type { MetricRegistry } from '../metrics/registry.ts';
import type { Clock } from './clock.ts';
import { SystemClock } from './clock.ts';
import { ProcessingTimeService } from './processing-time-service.ts';
import { StreamTask } from './stream-task.ts';
import { runTasks } from './task-loop.ts';

/** How the group's part of an attempt ended. */
export interface TaskGroupResult {
  readonly state: 'FINISHED' | 'FAILED' | 'CANCELED';
  readonly error?: WeirError;
  /** What collect() sinks received, by name. */
  readonly collected: ReadonlyMap<string, unknown[]>;
  readonly durationMs: number;
  /** Final record counts of the subtasks that ran, so they outlive the tasks' metrics. */
  readonly records?: readonly SubtaskRecords[];
}

/** Records one subtask read and wrote (Flink's numRecordsIn/numRecordsOut of the task). */
export interface SubtaskRecords {
  readonly vertexId: string;
  readonly subtask: number;
  readonly in: number;
  readonly out: number;
}

export interface VertexMetrics {
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Lowest input watermark over the vertex's subtasks. */
  readonly watermark: number;
}

export interface TaskGroupOptions {
  clock?: Clock;
  /** Records per batch between operators (default 1024). */
  batchSize?: number;
  /** Buffers per channel before the producer is backpressured (default 4). */
  channelCapacity?: number;
  /** Where channels between subtasks come from (default: in-process queues). */
  channels?: ChannelFactory;
  /**
   * Prometheus metrics with Flink's names and labels (src/runtime/metrics): `true` creates
   * a registry (`metricRegistry`); options can pass a shared one and the labels.
   */
  metrics?: boolean | TaskMetricsOptions;
}

export class TaskGroup {
  readonly tasks: StreamTask[] = [];
  readonly clock: Clock;
  /** Set when the metrics option is on; the task loop reports task states to it. */
  readonly taskMetrics: ExecutorMetrics | undefined;
  private readonly collected = new Map<string, unknown[]>();
  private cancelled = false;
  private wakeResolver: (() => void) | undefined;
  readonly channels: ChannelFactory;

  constructor(
    readonly plan: JobPlan,
    options: TaskGroupOptions = {},
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.channels = options.channels ?? localChannels;
    const m = options.metrics;
    this.taskMetrics = m ? new ExecutorMetrics(plan.jobGraph.jobName, this.clock, m === true ? {} : m) : undefined;
    this.build(options.batchSize ?? 1024, options.channelCapacity ?? 4);
  }

  get metricRegistry(): MetricRegistry | undefined {
    return this.taskMetrics?.registry;
  }

  private wake = (): void => {
    const r = this.wakeResolver;
    this.wakeResolver = undefined;
    r?.();
  };

  /** A promise that settles at the next wake() call. */
  nextWake(): Promise<void> {
    return new Promise((resolve) => (this.wakeResolver = resolve));
  }

  private build(batchSize: number, capacity: number): void {
    const { jobGraph, chains } = this.plan;
    const tasksByVertex = new Map<string, StreamTask[]>();
    const outputsOf = new Map<StreamTask, { main: RecordWriter[][]; sides: Map<string, RecordWriter[]>[] }>();
    for (const v of jobGraph.vertices) {
      const chain = chains.get(v.id)!;
      const tasks: StreamTask[] = [];
      for (let s = 0; s < v.parallelism; s++) {
        // Subtasks placed in another process are built there.
        if (this.channels.isLocal && !this.channels.isLocal(s)) continue;
        const operators = chain.map((n) => createOperator(n.transformation, this.plan.config));
        const source = operators[0] instanceof SourceOperator ? operators[0] : undefined;
        const task = new StreamTask(`${v.name} (${s + 1}/${v.parallelism})`, v.id, s, operators, source, new ProcessingTimeService(this.clock), batchSize, this.wake);
        tasks.push(task);
        outputsOf.set(task, { main: chain.map(() => []), sides: chain.map(() => new Map()) });
      }
      tasksByVertex.set(v.id, tasks);
    }
    for (const e of jobGraph.edges) {
      const sourceVertex = jobGraph.vertices.find((v) => v.id === e.source)!;
      const targetVertex = jobGraph.vertices.find((v) => v.id === e.target)!;
      const opIndex = sourceVertex.chain.indexOf(e.sourceOperator);
      const targetHead = chains.get(targetVertex.id)![0]!;
      const keySelector = targetHead.inEdges.find((se) => se.source.id === e.sourceOperator && se.input === e.input)?.keySelector;
      const local = tasksByVertex.get(e.source)!;
      const downstreamTasks = tasksByVertex.get(e.target)!;
      for (let u = 0; u < sourceVertex.parallelism; u++) {
        const upstream = local.find((t) => t.subtaskIndex === u);
        const targets = connectedTargets(e.partitioner, u, sourceVertex.parallelism, targetVertex.parallelism);
        const channels = targets.map((t) => {
          const downstream = downstreamTasks.find((d) => d.subtaskIndex === t);
          const { output, input } = this.channels.create({
            channelId: `${e.sourceOperator}:${e.input}:${e.sideOutput ?? ''}/${u}->${e.target}/${t}`,
            input: e.input,
            capacity,
            producerSubtask: u,
            consumerSubtask: t,
            wake: this.wake,
          });
          if (input && downstream) {
            input.consumer = downstream;
            downstream.inputs.push(input);
          }
          return output;
        });
        if (!upstream) continue;
        const writer = new RecordWriter({
          partitioner: e.partitioner,
          channels: channels as OutputChannel[],
          targets,
          downstreamParallelism: targetVertex.parallelism,
          downstreamMaxParallelism: targetVertex.maxParallelism,
          keySelector,
          consumerName: targetHead.name,
          batchSize,
          startChannel: u,
        });
        upstream.writers.push(writer);
        const outs = outputsOf.get(upstream)!;
        if (e.sideOutput) {
          const list = outs.sides[opIndex]!.get(e.sideOutput) ?? [];
          list.push(writer);
          outs.sides[opIndex]!.set(e.sideOutput, list);
        } else {
          outs.main[opIndex]!.push(writer);
        }
      }
    }
    for (const v of jobGraph.vertices) {
      const chain = chains.get(v.id)!;
      for (const task of tasksByVertex.get(v.id)!) {
        const inputCount = chain[0]!.transformation.type === 'twoInput' ? 2 : chain[0]!.kind === 'source' ? 0 : 1;
        for (let input = 0; input < inputCount; input++) task.inputs.filter((c) => c.input === input).forEach((c, i) => (c.valveIndex = i));
        task.setupInputs(inputCount);
        const outs = outputsOf.get(task)!;
        const backendType = stateBackendType(this.plan.config);
        task.operators.forEach((op, i) => {
          const node = chain[i]!;
          const next = task.operators[i + 1];
          const main: Output[] = next ? [new ChainedOutput(this.taskMetrics?.meterInput(next) ?? next, batchSize), ...outs.main[i]!] : outs.main[i]!;
          const sides = outs.sides[i]!;
          const output = main.length === 1 && sides.size === 0 ? main[0]! : new OperatorOutput(main, sides);
          op.init(
            {
              operatorId: node.id,
              name: node.name,
              uid: node.uid,
              subtaskIndex: task.subtaskIndex,
              parallelism: v.parallelism,
              maxParallelism: v.maxParallelism,
              jobParameters: this.plan.args,
              config: this.plan.config,
              clock: this.clock,
              processingTime: task.processingTime,
              stateBackend: isKeyed(node.transformation)
                ? createKeyedStateBackend(backendType, { clock: this.clock, maxParallelism: node.maxParallelism, keyGroupRange: KeyGroupRange.forSubtask(node.maxParallelism, v.parallelism, task.subtaskIndex) })
                : undefined,
              keySelectors: keySelectorsOf(node.transformation),
              trackAsync: (w) => task.trackAsync(w),
              addToResult: (name, values) => this.addToResult(name, values),
            },
            output,
          );
        });
        this.taskMetrics?.addTask(task, v, outs);
        this.tasks.push(task);
      }
    }
  }

  private addToResult(name: string, values: readonly unknown[]): void {
    let list = this.collected.get(name);
    if (!list) this.collected.set(name, (list = []));
    for (const v of values) list.push(v);
  }

  /** Stops the job; run() then resolves with CANCELED. */
  cancel(): void {
    this.cancelled = true;
    this.wake();
  }

  isCancelled(): boolean {
    return this.cancelled;
  }

  metrics(): VertexMetrics[] {
    return this.plan.jobGraph.vertices.map((v) => {
      const tasks = this.tasks.filter((t) => t.vertexId === v.id);
      let recordsIn = 0;
      let recordsOut = 0;
      let watermark = Infinity;
      for (const t of tasks) {
        recordsIn += recordsInOf(t);
        recordsOut += recordsOutOf(t);
        watermark = Math.min(watermark, t.source ? -Infinity : t.inputWatermark);
      }
      return { name: v.name, recordsIn, recordsOut, watermark };
    });
  }

  /** Records in and out of each subtask in this executor (the task metrics' counts). */
  subtaskRecords(): SubtaskRecords[] {
    return this.tasks.map((t) => ({ vertexId: t.vertexId, subtask: t.subtaskIndex, in: recordsInOf(t), out: recordsOutOf(t) }));
  }

  async run(): Promise<TaskGroupResult> {
    this.taskMetrics?.started();
    const result = await this.execute();
    this.taskMetrics?.ended(result.state);
    return result;
  }

  /** Waits until every output channel can send (or the job is cancelled meanwhile). */
  private async untilConnected(): Promise<void> {
    const connected = this.channels.connected?.();
    if (!connected) return;
    let done = false;
    const settled = connected.then(() => {
      done = true;
    });
    while (!done && !this.cancelled) await Promise.race([settled, this.nextWake()]);
  }

  private async execute(): Promise<TaskGroupResult> {
    const started = Date.now();
    try {
      // Connected before opening: a paced source counts its rate from open, and must not
      // owe a burst for the time the rest of the job took to deploy.
      await this.untilConnected();
      for (const t of this.tasks) await t.open();
      await runTasks(this);
    } catch (err) {
      await Promise.allSettled(this.tasks.filter((t) => !t.finished).map((t) => t.close()));
      const error = err instanceof WeirError ? err : new WeirError('INTERNAL', errorMessage(err), false, { cause: err });
      return { state: 'FAILED', error, collected: this.collected, durationMs: Date.now() - started, records: this.subtaskRecords() };
    }
    if (this.cancelled) {
      await Promise.allSettled(this.tasks.filter((t) => !t.finished).map((t) => t.close()));
      return { state: 'CANCELED', collected: this.collected, durationMs: Date.now() - started, records: this.subtaskRecords() };
    }
    return { state: 'FINISHED', collected: this.collected, durationMs: Date.now() - started, records: this.subtaskRecords() };
  }
}

/** A source task counts what its source read; others what arrived on their inputs. */
function recordsInOf(t: StreamTask): number {
  return t.source ? t.source.recordsOut : t.recordsIn;
}

/** A sink task counts what its sink wrote; others what their record writers sent. */
function recordsOutOf(t: StreamTask): number {
  const sink = t.operators[t.operators.length - 1];
  return sink instanceof SinkOperator ? sink.recordsWritten : t.writers.reduce((n, w) => n + w.recordsOut, 0);
}
