/**
 * What the scaling decision reads and returns. Everything is plain data with times in epoch
 * milliseconds, so the decision is a pure function: the operator fills these from the
 * collectors and status, the benchmark from its simulation.
 */
import type { AutoscalerConfig } from './autoscaler-config.ts';
import type { ScalingDirection, ScalingReason } from '../crd/autoscaler-schema.ts';

/** One observation of a vertex, summed or averaged over its subtasks. */
export interface VertexSample {
  at: number;
  /** Records per second into the vertex's subtasks, summed (a source: records read). */
  recordsInPerSecond: number;
  /** Records per second out of the vertex's subtasks, summed. */
  recordsOutPerSecond: number;
  /** Average over subtasks, 0..1000. */
  busyTimeMsPerSecond: number;
  /** Average over subtasks, 0..1000. */
  backPressuredTimeMsPerSecond: number;
  /** Sources: records behind, summed over partitions; absent when it could not be read this time. */
  lag?: number;
  /** How `lag` was measured: lag growth compares only samples measured alike. */
  lagMeasure?: 'committed-offsets' | 'pending-records';
  /**
   * Sources: the latest offsets (high watermarks) summed over partitions. Their growth is
   * exactly what arrives; lag growth is not, since committed offsets jump at checkpoints.
   */
  latestOffsets?: number;
}

export interface VertexObservation {
  id: string;
  name: string;
  parallelism: number;
  /** Key groups (the upper bound of parallelism). */
  maxParallelism: number;
  /** Reads keyed state: its parallelism is aligned to key groups. */
  keyed: boolean;
  /** Upstream vertex ids; none for a source. */
  inputs: readonly string[];
  /** Sources: partitions of what they read (the cap on their parallelism). */
  partitions?: number;
  /** Oldest first. */
  samples: readonly VertexSample[];
}

export interface PendingScaleDown {
  /** When the vertex was first recommended a lower parallelism without interruption. */
  since: number;
  /** The highest recommendation seen since. */
  highest: number;
}

export interface ScalingHistory {
  lastRescaleAt?: number;
  /** A change of the user's spec restarts stabilization. */
  lastSpecChangeAt?: number;
  /** Observed restart times of recent rescales, newest last. */
  restartTimesMs: readonly number[];
  pendingScaleDowns: Readonly<Record<string, PendingScaleDown>>;
}

export interface ScalingInput {
  config: AutoscalerConfig;
  now: number;
  /** In any order; inputs must name vertices of the list. */
  vertices: readonly VertexObservation[];
  history: ScalingHistory;
  /**
   * The slots of a fixed number of TaskManagers (spec.taskManager.replicas x slots): no vertex
   * goes beyond, since a subtask without a slot would wait for one forever.
   */
  slotLimit?: number;
}

export interface VertexRecommendation {
  vertexId: string;
  name: string;
  current: number;
  recommended: number;
  direction: ScalingDirection;
  reason: ScalingReason;
  message: string;
  /** Undefined where the decision did not get that far (stabilizing, no samples). */
  inputRate?: number;
  targetRate?: number;
  trueRatePerSubtask?: number;
  utilization?: number;
  lag?: number;
}

export interface ScalingDecision {
  vertices: VertexRecommendation[];
  /** True when some vertex's recommendation differs from its parallelism. */
  rescale: boolean;
  /** Vertex id -> recommended parallelism. */
  parallelism: Record<string, number>;
  /** To carry into the next decision's history. */
  pendingScaleDowns: Record<string, PendingScaleDown>;
  /** The restart time planned for (configured, or learned). */
  restartTimeMs: number;
}
