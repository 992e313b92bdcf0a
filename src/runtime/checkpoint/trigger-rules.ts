/**
 * When the next periodic checkpoint may start, as a pure function of what the coordinator
 * observed: Flink's interval, minimum pause after the last completed checkpoint, and limit
 * on concurrent checkpoints, and only while every task runs (a task that is not running
 * cannot take part, so the trigger would only fail).
 */
export interface TriggerFacts {
  readonly now: number;
  readonly intervalMs: number;
  readonly minPauseMs: number;
  readonly maxConcurrent: number;
  readonly pending: number;
  /** When the last periodic checkpoint was triggered; undefined before the first. */
  readonly lastTriggeredAt: number | undefined;
  /** When the last checkpoint completed or failed; undefined before the first. */
  readonly lastEndedAt: number | undefined;
  /** When the attempt's tasks all started running. */
  readonly runningSince: number | undefined;
}

export type TriggerDecision = { readonly trigger: true } | { readonly trigger: false; readonly reason: string; readonly checkAgainAt: number | undefined };

export function decideTrigger(f: TriggerFacts): TriggerDecision {
  if (f.runningSince === undefined) return { trigger: false, reason: 'not every task is running', checkAgainAt: undefined };
  if (f.pending >= f.maxConcurrent) return { trigger: false, reason: `${f.pending} checkpoint(s) in progress, the most allowed at once`, checkAgainAt: undefined };
  // The first checkpoint of an attempt comes one interval after its tasks run, as Flink's initial delay.
  const byInterval = Math.max(f.lastTriggeredAt ?? -Infinity, f.runningSince) + f.intervalMs;
  const byPause = f.lastEndedAt === undefined ? -Infinity : f.lastEndedAt + f.minPauseMs;
  const at = Math.max(byInterval, byPause);
  if (f.now >= at) return { trigger: true };
  return { trigger: false, reason: byPause > byInterval ? 'the minimum pause after the last checkpoint has not passed' : 'the interval has not passed', checkAgainAt: at };
}
