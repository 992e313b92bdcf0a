/** Where a job restores from when it starts, with Flink's keys. */
import { WeirError } from '../../errors/index.ts';
import type { RestoreSettings } from '../checkpoint/checkpoint-restore.ts';

export const SAVEPOINT_PATH_KEY = 'execution.savepoint.path';
export const IGNORE_UNCLAIMED_KEY = 'execution.savepoint.ignore-unclaimed-state';

export function restoreSettings(config: ReadonlyMap<string, string>): RestoreSettings & { path: string | undefined } {
  const raw = config.get(IGNORE_UNCLAIMED_KEY) ?? 'false';
  if (raw !== 'true' && raw !== 'false') throw new WeirError('INVALID_CONFIGURATION', `${IGNORE_UNCLAIMED_KEY}: "${raw}" is not true or false`, false);
  const path = config.get(SAVEPOINT_PATH_KEY);
  return { path: path === undefined || path === '' ? undefined : path, allowNonRestoredState: raw === 'true' };
}
