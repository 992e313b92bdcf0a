/**
 * Turns a required parallelism (a real number of subtasks' worth of capacity) into one that
 * spreads key groups, or a source's partitions, evenly. Throughput is set by the busiest
 * subtask: with `units` key groups spread over n subtasks the busiest holds ceil(units / n),
 * so n = 20 of 128 key groups (7 per busiest subtask) is no faster than 19. A requirement of r
 * allows at most floor(units / r) units per subtask, and the smallest parallelism that holds
 * to it is ceil(units / that). It is a divisor of `units` whenever a divisor does it (128 key
 * groups and r = 50 give 64), and otherwise the nearest value above r with the same busiest
 * subtask (r = 20 gives 22, each subtask 5 or 6 key groups), not the next divisor (32).
 */

/** Parallelism differences below this are floating-point noise, not a requirement. */
const EPSILON = 1e-9;

/**
 * The smallest parallelism >= `required` (and <= `upper`) whose busiest subtask holds no more
 * units than `required` allows. Without units (a vertex that is neither keyed nor a source
 * with known partitions) it is `required` rounded up. At least 1.
 */
export function alignParallelism(required: number, units: number | undefined, upper: number): number {
  const top = Math.max(1, Math.floor(upper));
  if (units === undefined || units < 1) return Math.min(top, Math.max(1, Math.ceil(required - EPSILON)));
  const limit = Math.min(top, units);
  if (required >= limit - EPSILON) return fewestSubtasksFor(units, Math.ceil(units / limit));
  const perSubtask = Math.floor(units / Math.max(required, EPSILON) + EPSILON);
  return Math.min(limit, fewestSubtasksFor(units, perSubtask));
}

/** The fewest subtasks that hold `units` with at most `perSubtask` each. */
function fewestSubtasksFor(units: number, perSubtask: number): number {
  return Math.ceil(units / Math.max(1, perSubtask));
}
