/** Checks of `spec.autoscaler` the schema cannot express: durations that parse, bounds in order. */
import { parseDuration } from '../../runtime/config/duration.ts';
import type { AutoscalerSpec } from '../crd/autoscaler-schema.ts';
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import type { SpecProblem } from './validate-spec.ts';

const DURATIONS = ['catchUpDuration', 'metricsWindow', 'stabilizationInterval', 'scaleDownDelay', 'restartTime'] as const satisfies readonly (keyof AutoscalerSpec)[];

export function autoscalerProblems(spec: StreamDeploymentSpec): SpecProblem[] {
  const a = spec.autoscaler;
  if (!a) return [];
  const problems: SpecProblem[] = [];
  for (const field of DURATIONS) {
    const value = a[field];
    if (value === undefined) continue;
    try {
      parseDuration(value, field);
    } catch {
      problems.push({ field: `spec.autoscaler.${field}`, reason: `"${value}" is not a duration; write e.g. "30s", "5 min" or "1h"` });
    }
  }
  if (a.minParallelism !== undefined && a.maxParallelism !== undefined && a.minParallelism > a.maxParallelism) {
    problems.push({ field: 'spec.autoscaler.minParallelism', reason: `${a.minParallelism} is above maxParallelism ${a.maxParallelism}; lower it or raise maxParallelism` });
  }
  return problems;
}
