/**
 * status.savepoints: the latest savepoint, the history, and its retention. Retention runs on
 * every pass, whether the job runs or not (Flink's runs lazily, only while the job runs), and
 * the files of a savepoint that leaves the history are disposed of at once. The latest
 * savepoint is always kept: it is what the next upgrade or resume may need.
 */
import type { SavepointInfo, StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import { kubeTime } from '../kube/kube-object.ts';
import type { OperatorSettings } from './operator-settings.ts';

type Savepoints = NonNullable<StreamDeploymentStatus['savepoints']>;

/** The savepoint becomes the latest and joins the history. */
export function withSavepoint(savepoints: Savepoints | undefined, info: SavepointInfo): Savepoints {
  const history = [...(savepoints?.history ?? []), info];
  return { ...savepoints, last: info, history, lastSavepointTime: kubeTime(new Date(info.timestamp ?? 0)) };
}

/** The history after retention by count and age, and the locations that left it. */
export function retained(savepoints: Savepoints | undefined, settings: Pick<OperatorSettings, 'historyMaxCount' | 'historyMaxAgeMs'>, now: Date): { savepoints: Savepoints | undefined; dispose: string[] } {
  const history = savepoints?.history ?? [];
  if (history.length === 0) return { savepoints, dispose: [] };
  const latest = savepoints?.last?.location;
  const byAge = (s: SavepointInfo) => now.getTime() - (s.timestamp ?? 0) <= settings.historyMaxAgeMs;
  // Newest first: the first `historyMaxCount` young enough are kept, and always the latest.
  const newestFirst = [...history].reverse();
  const keep = new Set<SavepointInfo>();
  for (const s of newestFirst) if (s.location === latest || (keep.size < settings.historyMaxCount && byAge(s))) keep.add(s);
  if (keep.size === history.length) return { savepoints, dispose: [] };
  const dispose = history.filter((s) => !keep.has(s) && s.location !== undefined && s.location !== latest).map((s) => s.location!);
  return { savepoints: { ...savepoints, history: history.filter((s) => keep.has(s)) }, dispose };
}
