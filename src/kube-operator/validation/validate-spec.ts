/**
 * Checks of meaning that a schema cannot express. Each problem names the field and says what
 * to change; the operator reports them as a Degraded condition and a ValidationError Event
 * and leaves the last valid deployment running.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { settingProblems } from '../reconciler/operator-settings.ts';
import { autoscalerProblems } from './autoscaler-spec.ts';
import { sharedStorageProblems } from './shared-storage.ts';

export interface SpecProblem {
  field: string;
  reason: string;
}

const MODULE_PATH = /^[^\s:]+\.(ts|mts|js|mjs)$/;
const SLOTS_KEY = 'taskmanager.numberOfTaskSlots';
const MAX_PARALLELISM_KEY = 'pipeline.max-parallelism';

/** `taskmanager.numberOfTaskSlots` as a number, or undefined when it is not a whole number >= 1. */
export function slotsPerTaskManager(spec: StreamDeploymentSpec): number | undefined {
  const raw = spec.configuration?.[SLOTS_KEY] ?? '1';
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

export function maxParallelismOf(spec: StreamDeploymentSpec): number | undefined {
  if (spec.job.maxParallelism !== undefined) return spec.job.maxParallelism;
  const raw = spec.configuration?.[MAX_PARALLELISM_KEY];
  return raw === undefined ? undefined : Number(raw);
}

export function validateSpec(spec: StreamDeploymentSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (!spec.image || spec.image.trim() === '') {
    problems.push({ field: 'spec.image', reason: 'is required: set it to the runtime image that holds the job, e.g. ghcr.io/acme/fraud-job:1.0' });
  }
  if (!MODULE_PATH.test(spec.job.entry)) {
    problems.push({ field: 'spec.job.entry', reason: `"${spec.job.entry}" is not a module path: give the path of the job module inside the image, ending in .ts, .mts, .js or .mjs, e.g. /opt/weir/job/fraud-detection.ts` });
  }
  const rawSlots = spec.configuration?.[SLOTS_KEY];
  const slots = slotsPerTaskManager(spec);
  if (slots === undefined) {
    problems.push({ field: `spec.configuration["${SLOTS_KEY}"]`, reason: `is "${rawSlots}"; it must be a whole number >= 1` });
  }
  const parallelism = spec.job.parallelism ?? 1;
  const maxParallelism = maxParallelismOf(spec);
  if (maxParallelism !== undefined) {
    const field = spec.job.maxParallelism !== undefined ? 'spec.job.maxParallelism' : `spec.configuration["${MAX_PARALLELISM_KEY}"]`;
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      problems.push({ field, reason: `is "${maxParallelism}"; it must be a whole number from 1 to 32768` });
    } else if (parallelism > maxParallelism) {
      problems.push({ field: 'spec.job.parallelism', reason: `${parallelism} is above the maximum parallelism ${maxParallelism} (${field}); lower the parallelism or raise the maximum (which changes key groups, so only before the job has state)` });
    }
  }
  const replicas = spec.taskManager?.replicas;
  if (slots !== undefined && replicas !== undefined && (spec.job.state ?? 'running') === 'running' && replicas * slots < parallelism) {
    problems.push({ field: 'spec.taskManager.replicas', reason: `${replicas} TaskManager(s) with ${slots} slot(s) each offer ${replicas * slots} slots, fewer than the parallelism ${parallelism}; raise the replicas or the slots, or leave replicas unset to derive them` });
  }
  const jmReplicas = spec.jobManager?.replicas ?? 1;
  if (jmReplicas > 1 && !kubernetesHa(spec)) {
    problems.push({ field: 'spec.jobManager.replicas', reason: `${jmReplicas} JobManagers need high availability, or each would run the job: set spec.configuration["high-availability.type"] to "kubernetes", or replicas to 1` });
  }
  problems.push(...sharedStorageProblems(spec));
  problems.push(...settingProblems(spec));
  problems.push(...autoscalerProblems(spec));
  return problems;
}

/** Whether the runtime runs with Kubernetes HA (the JobManagers elect a leader on ConfigMaps). */
export function kubernetesHa(spec: StreamDeploymentSpec): boolean {
  return (spec.configuration?.['high-availability.type'] ?? spec.configuration?.['high-availability'] ?? '').toLowerCase() === 'kubernetes';
}

export function describeProblems(problems: readonly SpecProblem[]): string {
  return problems.map((p) => `${p.field} ${p.reason}`).join('; ');
}
