/**
 * Checkpoints, savepoints and HA data must be on storage every runtime pod sees: tasks write
 * their state files where they run, the JobManager writes `_metadata` (and copies a
 * savepoint's files) where it runs, and whichever pod restores reads both. A pod's own disk
 * (the default `$TMPDIR`, an emptyDir) is seen by that pod only and goes with it. So a spec
 * that snapshots must name an `s3://` location, or a `file://` path on a volume that the
 * JobManager and TaskManager pods mount from the same shared source.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import type { Component } from '../children/names.ts';
import { OPERATOR_KEYS } from '../reconciler/operator-settings.ts';
import { normalizeLocation, schemeOf } from '../../runtime/checkpoint/storage/storage-location.ts';
import { placeOfPath } from './pod-volumes.ts';
import type { PathPlace } from './pod-volumes.ts';
import { kubernetesHa } from './validate-spec.ts';
import type { SpecProblem } from './validate-spec.ts';

const CHECKPOINTS = 'state.checkpoints.dir';
const SAVEPOINTS = 'state.savepoints.dir';
const HA_STORAGE = 'high-availability.storageDir';

const WHERE = 'an s3:// URI, or a file:// path on a volume that both spec.jobManager.podTemplate and spec.taskManager.podTemplate mount from shared storage (a persistentVolumeClaim, hostPath or nfs volume, in the volumeMounts of the jobmanager and taskmanager containers)';

const configField = (key: string) => `spec.configuration["${key}"]`;

/** What in the spec takes savepoints, as the user would name it. */
function savepointUses(spec: StreamDeploymentSpec): string[] {
  const conf = spec.configuration ?? {};
  const uses: string[] = [];
  if (spec.job.upgradeMode === 'savepoint') uses.push('upgradeMode savepoint');
  if (spec.job.upgradeMode === 'last-state' && conf[OPERATOR_KEYS.maxCheckpointAge] !== undefined) uses.push(`${OPERATOR_KEYS.maxCheckpointAge} (a savepoint when the checkpoint is older)`);
  if (spec.job.savepointTriggerNonce !== undefined) uses.push('savepointTriggerNonce');
  const periodic = conf[OPERATOR_KEYS.periodicSavepointInterval];
  if (periodic !== undefined && !/^0+\s*[a-z]*$/i.test(periodic.trim())) uses.push(OPERATOR_KEYS.periodicSavepointInterval);
  if (conf[OPERATOR_KEYS.savepointOnDeletion] === 'true') uses.push(OPERATOR_KEYS.savepointOnDeletion);
  return uses;
}

/** What in the spec takes checkpoints (a savepoint is taken through a checkpoint's files too). */
function checkpointUses(spec: StreamDeploymentSpec): string[] {
  const conf = spec.configuration ?? {};
  const uses: string[] = [];
  if (conf['execution.checkpointing.interval'] !== undefined) uses.push('execution.checkpointing.interval');
  if (spec.job.upgradeMode === 'last-state') uses.push('upgradeMode last-state');
  if (kubernetesHa(spec)) uses.push('high-availability.type kubernetes');
  if (spec.job.checkpointTriggerNonce !== undefined) uses.push('checkpointTriggerNonce');
  return [...uses, ...savepointUses(spec)];
}

const ROLE: Record<Component, string> = { jobmanager: 'the JobManager pod', taskmanager: 'the TaskManager pods' };

function placeProblem(pods: string, place: PathPlace): string | undefined {
  switch (place.kind) {
    case 'pod-disk':
      return `is on no volume of ${pods}, so each pod would use its own disk`;
    case 'per-pod':
      return `is on volume "${place.volume}" (${place.source}) of ${pods}, which each pod has for itself`;
    case 'read-only':
      return `is on volume "${place.volume}", mounted read-only in ${pods}`;
    case 'shared':
      return undefined;
  }
}

/** "a", "a and b", "a, b and c". */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** Why `location` is not shared by the JobManager and TaskManager pods, or undefined when it is. */
export function unsharedReason(spec: StreamDeploymentSpec, key: string, location: string): string | undefined {
  let path: string;
  try {
    if (schemeOf(location, key) === 's3') return undefined;
    path = normalizeLocation(location, key);
  } catch {
    return `"${location}" is neither an s3:// URI nor a file:// path`;
  }
  if (!path.startsWith('/')) return `"${location}" is a relative path, which each pod resolves in its own working directory`;
  const jm = placeOfPath(spec, 'jobmanager', path);
  const tm = placeOfPath(spec, 'taskmanager', path);
  const same = JSON.stringify(jm) === JSON.stringify(tm);
  const reasons = same ? [placeProblem('the JobManager and TaskManager pods', jm)] : [placeProblem(ROLE.jobmanager, jm), placeProblem(ROLE.taskmanager, tm)];
  const found = reasons.filter((r) => r !== undefined);
  if (found.length > 0) return `"${location}" ${found.join(', and ')}`;
  if (jm.kind === 'shared' && tm.kind === 'shared' && jm.identity !== tm.identity) {
    return `"${location}" is on volume "${jm.volume}" (${jm.source}) in the JobManager pod but on volume "${tm.volume}" (${tm.source}) in the TaskManager pods, which are not the same files`;
  }
  return undefined;
}

/** The locations a snapshotting spec needs, each on storage both kinds of pod see. */
export function sharedStorageProblems(spec: StreamDeploymentSpec): SpecProblem[] {
  const conf = spec.configuration ?? {};
  const problems: SpecProblem[] = [];
  const check = (field: string, key: string, location: string) => {
    const reason = unsharedReason(spec, key, location);
    if (reason !== undefined) problems.push({ field, reason: `${reason}; the JobManager and the TaskManagers must see the same files there: use ${WHERE}` });
  };
  const checkpoints = checkpointUses(spec);
  if (checkpoints.length > 0) {
    const dir = conf[CHECKPOINTS];
    if (dir === undefined) {
      problems.push({ field: configField(CHECKPOINTS), reason: `is not set, and ${listed(checkpoints)} ${checkpoints.length === 1 ? 'needs' : 'need'} checkpoints: by default each pod writes them to its own $TMPDIR, where the JobManager does not see the TaskManagers' files and nothing outlives the pod; set it to ${WHERE}` });
    } else {
      check(configField(CHECKPOINTS), CHECKPOINTS, dir);
    }
  }
  const savepoints = savepointUses(spec);
  const savepointDir = conf[SAVEPOINTS];
  if (savepoints.length > 0 && savepointDir === undefined) {
    problems.push({ field: configField(SAVEPOINTS), reason: `is not set, and ${listed(savepoints)} ${savepoints.length === 1 ? 'takes' : 'take'} savepoints into it; set it to ${WHERE}` });
  } else if (savepointDir !== undefined && checkpoints.length > 0) {
    check(configField(SAVEPOINTS), SAVEPOINTS, savepointDir);
  }
  const haDir = conf[HA_STORAGE];
  if (haDir !== undefined && kubernetesHa(spec)) check(configField(HA_STORAGE), HA_STORAGE, haDir);
  if (spec.job.initialSavepointPath !== undefined) check('spec.job.initialSavepointPath', 'initialSavepointPath', spec.job.initialSavepointPath);
  return problems;
}
