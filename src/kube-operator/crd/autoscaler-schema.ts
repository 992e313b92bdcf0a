/**
 * `spec.autoscaler` and `status.autoscaler` of a StreamDeployment. The spec's names follow
 * Flink's `job.autoscaler.*` keys (docs/autoscaler.md has the mapping); defaults live in
 * `autoscaler/autoscaler-config.ts`, not in the CRD, so one table holds them.
 */
import { array, boolean, enumOf, integer, mapOf, number, object, string } from './schema-dsl.ts';
import type { TypeOf } from './schema-dsl.ts';

const duration = (description: string) => string({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*[a-zA-Z]*\\s*$', description: `${description} A duration: "30s", "5 min", "1h".` });

export const autoscalerSpec = object({
  enabled: boolean({ description: 'Let the operator decide each vertex\'s parallelism from lag and busy time. Default false.' }),
  metricsOnly: boolean({ description: 'Decide and report (status.autoscaler, ScalingReport Events, metrics) but never rescale. Default false.' }),
  minParallelism: integer({ minimum: 1, description: 'Lowest parallelism of any vertex. Default 1.' }),
  maxParallelism: integer({ minimum: 1, description: 'Highest parallelism of any vertex. Default: the vertex\'s maximum parallelism (its key groups); a source never goes above its partitions.' }),
  targetUtilization: number({ minimum: 0.05, maximum: 1, description: 'Share of a subtask\'s processing capacity a decision aims to use. Default 0.7.' }),
  targetUtilizationBoundary: number({ minimum: 0, maximum: 1, description: 'Dead band: no rescale while utilization stays within targetUtilization +/- this. Default 0.3.' }),
  catchUpDuration: duration('Lag must drain within this after a rescale; 0 scales on the input rate alone. Default 30m.'),
  metricsWindow: duration('Metrics are averaged over this window; a scale-down waits for a full one. Default 15m.'),
  stabilizationInterval: duration('No decision this long after a rescale or a change of the spec. Default 5m.'),
  scaleUpMaxFactor: number({ minimum: 0, description: 'A scale-up reaches at most parallelism x (1 + this). Default 100000.' }),
  scaleDownMaxFactor: number({ minimum: 0, maximum: 1, description: 'A scale-down goes to at least parallelism x (1 - this). Default 0.8.' }),
  scaleDownDelay: duration('Scale down only once a lower recommendation held this long, to the highest recommendation seen meanwhile. Default 1h.'),
  restartTime: duration('What a rescale costs (restart and restore); the backlog it adds is planned for. Default 5m.'),
  restartTimeTracking: boolean({ description: 'Use the longest restart observed in the last five rescales instead of restartTime once there is one. Default true.' }),
});

export const SCALING_DIRECTIONS = ['up', 'down', 'none'] as const;

export const SCALING_REASONS = [
  'WithinBoundary', 'ScaleUp', 'ScaleDown', 'ScaleDownDelayed', 'CatchingUp', 'Stabilizing', 'CollectingMetrics', 'NoBusyTime', 'AtLimit', 'NoSlotFreed',
] as const;

const vertexDecision = object(
  {
    vertexId: string(),
    name: string(),
    current: integer(),
    recommended: integer(),
    direction: enumOf(SCALING_DIRECTIONS),
    reason: enumOf(SCALING_REASONS),
    message: string(),
    inputRate: number({ description: 'Records per second arriving at the vertex (a source: read rate plus lag growth).' }),
    targetRate: number({ description: 'Input rate plus lag to drain within catchUpDuration and the backlog a restart adds.' }),
    trueRatePerSubtask: number({ description: 'Records per second one subtask can process: input rate / busy fraction.' }),
    utilization: number(),
    lag: integer({ description: 'Records behind, summed over the source\'s partitions (sources only).' }),
  },
  { required: ['vertexId', 'current', 'recommended', 'direction', 'reason'] },
);

export const autoscalerStatus = object({
  lastDecisionTime: string({ format: 'date-time', description: 'When the decisions below were first reached. Figures of an unchanged decision are not rewritten, so a steady job writes no status.' }),
  lastRescaleTime: string({ format: 'date-time' }),
  lastSpecChangeTime: string({ format: 'date-time', description: 'A change of the user\'s spec restarts stabilization.' }),
  vertices: array(vertexDecision, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['vertexId'] }),
  pendingScaleDowns: mapOf(object({ since: string({ format: 'date-time' }), highest: integer() }), { description: 'Per vertex id: when its lower recommendation started and the highest one seen since.' }),
  restartTimesMs: array(integer(), { description: 'Restart times of the last rescales, newest last.' }),
  appliedParallelism: mapOf(integer(), { description: 'Per vertex id, the parallelism the autoscaler deployed (as pipeline.jobvertex-parallelism-overrides). A change of the user\'s spec that restarts the job clears it: the user\'s parallelism wins.' }),
  appliedFor: string({ description: 'A hash of the user\'s spec (without the fields that restart nothing) the applied parallelism was decided for.' }),
  rescaleStartTime: string({ format: 'date-time', description: 'When the rescale in progress was decided; cleared once its job runs every task, and the time it took joins restartTimesMs.' }),
});

export type AutoscalerSpec = TypeOf<typeof autoscalerSpec>;
export type AutoscalerStatus = TypeOf<typeof autoscalerStatus>;
export type VertexDecisionStatus = TypeOf<typeof vertexDecision>;
export type ScalingReason = (typeof SCALING_REASONS)[number];
export type ScalingDirection = (typeof SCALING_DIRECTIONS)[number];
