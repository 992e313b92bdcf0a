/**
 * What a spec change asks of the running job, as Flink's operator decides it (DiffType): a
 * table keyed by field path, the strongest changed field wins. IGNORE changes nothing that
 * runs; SCALE and UPGRADE redeploy through the job's upgrade mode; SAVEPOINT_REDEPLOY drops
 * the job's state and starts from `initialSavepointPath`.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { canonicalJson } from '../children/stable-hash.ts';
import { OPERATOR_KEY_PREFIX } from './operator-settings.ts';

export const DIFF_TYPES = ['IGNORE', 'SCALE', 'UPGRADE', 'SAVEPOINT_REDEPLOY'] as const;
export type DiffType = (typeof DIFF_TYPES)[number];

/**
 * By field path; a path not listed takes the type of its nearest listed parent, and a field
 * nobody listed is an UPGRADE (the safe default: a field added later restarts the job).
 */
export const DIFF_TABLE: Readonly<Record<string, DiffType>> = {
  'job.upgradeMode': 'IGNORE',
  'job.savepointTriggerNonce': 'IGNORE',
  'job.checkpointTriggerNonce': 'IGNORE',
  'job.allowNonRestoredState': 'IGNORE',
  // Only read on the first deployment, or with savepointRedeployNonce.
  'job.initialSavepointPath': 'IGNORE',
  'job.savepointRedeployNonce': 'SAVEPOINT_REDEPLOY',
  'job.parallelism': 'SCALE',
  'job.state': 'UPGRADE',
  'taskManager.replicas': 'SCALE',
  // Per-vertex parallelism (the autoscaler's, or the user's own): a rescale like job.parallelism.
  'configuration.pipeline.jobvertex-parallelism-overrides': 'SCALE',
  autoscaler: 'IGNORE',
  image: 'UPGRADE',
  imagePullPolicy: 'UPGRADE',
  serviceAccount: 'UPGRADE',
  configuration: 'UPGRADE',
  'job.entry': 'UPGRADE',
  'job.args': 'UPGRADE',
  'job.maxParallelism': 'UPGRADE',
  'job.restartNonce': 'UPGRADE',
  jobManager: 'UPGRADE',
  taskManager: 'UPGRADE',
};

export interface SpecDiff {
  type: DiffType;
  /** The changed field paths with their types, strongest first, e.g. `job.args (UPGRADE)`. */
  changes: { path: string; type: DiffType }[];
}

const rank = (t: DiffType) => DIFF_TYPES.indexOf(t);

export function diffTypeOf(path: string): DiffType {
  // The operator's own configuration keys steer the operator, not the job.
  if (path.startsWith(`configuration.${OPERATOR_KEY_PREFIX}`)) return 'IGNORE';
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const t = DIFF_TABLE[p];
    if (t !== undefined) return t;
  }
  return 'UPGRADE';
}

/** Configuration keys hold dots; they are one path segment each (`configuration.<key>`). */
function changedPaths(before: unknown, after: unknown, path: string, out: string[]): void {
  if (canonicalJson(before ?? null) === canonicalJson(after ?? null)) return;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const leaf = path.endsWith('podTemplate');
  if ((isObject(before) || before === undefined) && (isObject(after) || after === undefined) && !leaf) {
    const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
    for (const k of [...keys].sort()) changedPaths((before ?? {})[k], (after ?? {})[k], path === '' ? k : `${path}.${k}`, out);
    return;
  }
  out.push(path);
}

export function specDiff(before: StreamDeploymentSpec, after: StreamDeploymentSpec): SpecDiff {
  const paths: string[] = [];
  changedPaths(before, after, '', paths);
  const changes = paths.map((path) => ({ path, type: diffTypeOf(path) })).sort((a, b) => rank(b.type) - rank(a.type));
  let type: DiffType = changes[0]?.type ?? 'IGNORE';
  // A new savepointRedeployNonce redeploys only with a path to redeploy from (validation asks for one).
  if (type === 'SAVEPOINT_REDEPLOY' && !after.job.initialSavepointPath) type = changes.find((c) => c.type !== 'SAVEPOINT_REDEPLOY')?.type ?? 'IGNORE';
  return { type, changes };
}

export function describeDiff(d: SpecDiff): string {
  return d.changes
    .filter((c) => c.type !== 'IGNORE')
    .map((c) => `spec.${c.path} (${c.type})`)
    .join(', ');
}
