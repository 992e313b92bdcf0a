/**
 * Builds the tasks of a task group from a job plan: one StreamTask per local subtask of
 * every vertex, its operator chain (a keyed state backend per keyed operator, for the key
 * groups of its subtask), its input channels and its record writers with the real
 * partitioners, and the outputs that join chained operators.
 */
import type { JobPlan } from '../graph/job-plan.ts';
import type { ChannelFactory } from '../network/channel-factory.ts';
import type { OutputChannel } from '../network/local-channel.ts';
import { connectedTargets } from '../network/channel-selector.ts';
import { RecordWriter } from '../network/record-writer.ts';
import { ChainedOutput, OperatorOutput } from '../operators/chained-output.ts';
import { createOperator, isKeyed, keySelectorsOf } from '../operators/operator-factory.ts';
import type { Output } from '../operators/output.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import type { ExecutorMetrics } from '../metrics/executor-metrics.ts';
import { KeyGroupRange } from '../state/key-group.ts';
import { createKeyedStateBackend, stateBackendType } from '../state/state-backend-factory.ts';
import { deltaPolicy } from '../checkpoint/incremental/delta-config.ts';
import type { Clock } from './clock.ts';
import { ProcessingTimeService } from './processing-time-service.ts';
import { StreamTask } from './stream-task.ts';
import type { TaskEvents } from './stream-task.ts';

export interface TaskWiring {
  readonly plan: JobPlan;
  readonly clock: Clock;
  readonly channels: ChannelFactory;
  readonly batchSize: number;
  /** Buffers per channel before the producer is backpressured. */
  readonly capacity: number;
  readonly metrics: ExecutorMetrics | undefined;
  readonly wake: () => void;
  readonly events: TaskEvents;
  /** Whether tasks take a final checkpoint after their input ends before they finish (FLIP-147). */
  readonly finalCheckpoint: boolean;
  addToResult(name: string, values: readonly unknown[]): void;
}

export function buildTasks(w: TaskWiring): StreamTask[] {
  const { plan, batchSize } = w;
  const { jobGraph, chains } = plan;
  const tasksByVertex = new Map<string, StreamTask[]>();
  const outputsOf = new Map<StreamTask, { main: RecordWriter[][]; sides: Map<string, RecordWriter[]>[] }>();
  for (const v of jobGraph.vertices) {
    const chain = chains.get(v.id)!;
    const tasks: StreamTask[] = [];
    for (let s = 0; s < v.parallelism; s++) {
      // Subtasks placed in another process are built there.
      if (w.channels.isLocal && !w.channels.isLocal(s)) continue;
      const operators = chain.map((n) => createOperator(n.transformation, plan.config));
      const source = operators[0] instanceof SourceOperator ? operators[0] : undefined;
      const task = new StreamTask(`${v.name} (${s + 1}/${v.parallelism})`, v.id, s, v.parallelism, operators, source, new ProcessingTimeService(w.clock), batchSize, w.wake, w.events, w.finalCheckpoint);
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
        const { output, input } = w.channels.create({
          channelId: `${e.sourceOperator}:${e.input}:${e.sideOutput ?? ''}/${u}->${e.target}/${t}`,
          input: e.input,
          capacity: w.capacity,
          producerSubtask: u,
          consumerSubtask: t,
          wake: w.wake,
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
  const backendType = stateBackendType(plan.config);
  const trackChanges = deltaPolicy(plan.config) !== undefined;
  const all: StreamTask[] = [];
  for (const v of jobGraph.vertices) {
    const chain = chains.get(v.id)!;
    for (const task of tasksByVertex.get(v.id)!) {
      const inputCount = chain[0]!.transformation.type === 'twoInput' ? 2 : chain[0]!.kind === 'source' ? 0 : 1;
      for (let input = 0; input < inputCount; input++) task.inputs.filter((c) => c.input === input).forEach((c, i) => (c.valveIndex = i));
      task.setupInputs(inputCount);
      const outs = outputsOf.get(task)!;
      task.operators.forEach((op, i) => {
        const node = chain[i]!;
        const next = task.operators[i + 1];
        const main: Output[] = next ? [new ChainedOutput(w.metrics?.meterInput(next) ?? next, batchSize), ...outs.main[i]!] : outs.main[i]!;
        const sides = outs.sides[i]!;
        const output = main.length === 1 && sides.size === 0 ? main[0]! : new OperatorOutput(main, sides);
        const keyGroupRange = KeyGroupRange.forSubtask(node.maxParallelism, v.parallelism, task.subtaskIndex);
        op.init(
          {
            operatorId: node.id,
            name: node.name,
            uid: node.uid,
            subtaskIndex: task.subtaskIndex,
            parallelism: v.parallelism,
            maxParallelism: v.maxParallelism,
            jobParameters: plan.args,
            config: plan.config,
            clock: w.clock,
            processingTime: task.processingTime,
            stateBackend: isKeyed(node.transformation) ? createKeyedStateBackend(backendType, { clock: w.clock, maxParallelism: node.maxParallelism, keyGroupRange, config: plan.config, label: `${node.id}-${task.subtaskIndex}`, trackChanges }) : undefined,
            keySelectors: keySelectorsOf(node.transformation),
            finalCheckpoint: w.finalCheckpoint,
            trackAsync: (work) => task.trackAsync(work),
            addToResult: (name, values) => w.addToResult(name, values),
          },
          output,
        );
      });
      w.metrics?.addTask(task, v, outs);
      all.push(task);
    }
  }
  return all;
}
