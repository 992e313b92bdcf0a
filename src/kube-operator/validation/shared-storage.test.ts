import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { sharedStorageProblems } from './shared-storage.ts';
import { describeProblems, validateSpec } from './validate-spec.ts';

const USE = 'an s3:// URI, or a file:// path on a volume that both spec.jobManager.podTemplate and spec.taskManager.podTemplate mount from shared storage (a persistentVolumeClaim, hostPath or nfs volume, in the volumeMounts of the jobmanager and taskmanager containers)';
const SAME_FILES = `; the JobManager and the TaskManagers must see the same files there: use ${USE}`;
const CHECKPOINTS = 'spec.configuration["state.checkpoints.dir"]';
const SAVEPOINTS = 'spec.configuration["state.savepoints.dir"]';

const job = { entry: '/opt/weir/job/fraud.ts', parallelism: 2 };
const checkpointing = (dir: string) => ({ 'execution.checkpointing.interval': '10s', 'state.checkpoints.dir': dir });

/** A pod template mounting `volume` (named "state") at `mountPath` in the role's main container. */
function mounted(container: 'jobmanager' | 'taskmanager', volume: Record<string, unknown>, mount: Record<string, unknown> = {}) {
  return { podTemplate: { spec: { volumes: [{ name: 'state', ...volume }], containers: [{ name: container, volumeMounts: [{ name: 'state', mountPath: '/state', ...mount }] }] } } };
}
const claim = (claimName: string) => ({ persistentVolumeClaim: { claimName } });
const onBoth = (volume: Record<string, unknown>, mount: Record<string, unknown> = {}) => ({ jobManager: mounted('jobmanager', volume, mount), taskManager: mounted('taskmanager', volume, mount) });

function spec(rest: Partial<StreamDeploymentSpec>, jobFields: Partial<StreamDeploymentSpec['job']> = {}): StreamDeploymentSpec {
  return { image: 'weir:1', ...rest, job: { ...job, ...jobFields } };
}

test('a job that neither checkpoints nor takes savepoints needs no shared storage', () => {
  assert.deepEqual(sharedStorageProblems(spec({})), []);
  assert.deepEqual(sharedStorageProblems(spec({}, { upgradeMode: 'stateless' })), []);
});

test('snapshots without a directory: what asks for them, why the pod default fails, and what to set', () => {
  assert.deepEqual(sharedStorageProblems(spec({ configuration: { 'high-availability.type': 'kubernetes' } }, { upgradeMode: 'last-state' })), [
    { field: CHECKPOINTS, reason: `is not set, and upgradeMode last-state and high-availability.type kubernetes need checkpoints: by default each pod writes them to its own $TMPDIR, where the JobManager does not see the TaskManagers' files and nothing outlives the pod; set it to ${USE}` },
  ]);
  assert.deepEqual(sharedStorageProblems(spec({ configuration: { 'kubernetes.operator.periodic.savepoint.interval': '1h' } }, { upgradeMode: 'savepoint', savepointTriggerNonce: 1 })), [
    { field: CHECKPOINTS, reason: `is not set, and upgradeMode savepoint, savepointTriggerNonce and kubernetes.operator.periodic.savepoint.interval need checkpoints: by default each pod writes them to its own $TMPDIR, where the JobManager does not see the TaskManagers' files and nothing outlives the pod; set it to ${USE}` },
    { field: SAVEPOINTS, reason: `is not set, and upgradeMode savepoint, savepointTriggerNonce and kubernetes.operator.periodic.savepoint.interval take savepoints into it; set it to ${USE}` },
  ]);
  // A periodic interval of 0 takes none.
  assert.deepEqual(sharedStorageProblems(spec({ configuration: { 'kubernetes.operator.periodic.savepoint.interval': '0' } })), []);
});

test('S3, or a file path on a volume both pods mount from the same claim, hostPath or nfs export, is shared', () => {
  const s3 = { 'execution.checkpointing.interval': '10s', 'state.checkpoints.dir': 's3://weir/checkpoints', 'state.savepoints.dir': 's3://weir/savepoints' };
  assert.deepEqual(sharedStorageProblems(spec({ configuration: s3 }, { upgradeMode: 'savepoint' })), []);
  const files = { ...checkpointing('file:///state/checkpoints'), 'state.savepoints.dir': '/state/savepoints', 'high-availability.type': 'kubernetes', 'high-availability.storageDir': 'file:///state/ha' };
  for (const volume of [claim('fraud-state'), { hostPath: { path: '/var/lib/weir', type: 'DirectoryOrCreate' } }, { nfs: { server: 'nfs.example', path: '/exports/weir' } }]) {
    assert.deepEqual(sharedStorageProblems(spec({ configuration: files, ...onBoth(volume) }, { upgradeMode: 'last-state', initialSavepointPath: '/state/savepoints/savepoint-1' })), [], JSON.stringify(volume));
  }
  // Mounted at other paths with subPaths that meet in the same directory of the claim.
  const jobManager = { podTemplate: { spec: { volumes: [{ name: 'state', ...claim('c') }], containers: [{ name: 'jobmanager', volumeMounts: [{ name: 'state', mountPath: '/state/checkpoints', subPath: 'checkpoints' }] }] } } };
  assert.deepEqual(sharedStorageProblems(spec({ configuration: checkpointing('/state/checkpoints'), jobManager, taskManager: mounted('taskmanager', claim('c'), { subPath: 'checkpoints', mountPath: '/state/checkpoints' }) })), []);
});

test('a file path on a pod\'s own disk or volume, or on different sources in the two pods, is refused saying where it is', () => {
  const cases: [Partial<StreamDeploymentSpec>, string][] = [
    [{ configuration: checkpointing('/state/checkpoints') }, '"/state/checkpoints" is on no volume of the JobManager and TaskManager pods, so each pod would use its own disk'],
    [{ configuration: checkpointing('/state/checkpoints'), taskManager: mounted('taskmanager', claim('a')) }, '"/state/checkpoints" is on no volume of the JobManager pod, so each pod would use its own disk'],
    [{ configuration: checkpointing('file:///state/checkpoints'), ...onBoth({ emptyDir: {} }) }, '"file:///state/checkpoints" is on volume "state" (emptyDir) of the JobManager and TaskManager pods, which each pod has for itself'],
    // The operator's scratch volume ($TMPDIR) is an emptyDir too.
    [{ configuration: checkpointing('/opt/weir/scratch/checkpoints') }, '"/opt/weir/scratch/checkpoints" is on volume "scratch" (emptyDir) of the JobManager and TaskManager pods, which each pod has for itself'],
    [{ configuration: checkpointing('/state/checkpoints'), jobManager: mounted('jobmanager', { emptyDir: {} }), taskManager: mounted('taskmanager', claim('a')) }, '"/state/checkpoints" is on volume "state" (emptyDir) of the JobManager pod, which each pod has for itself'],
    [{ configuration: checkpointing('/state/checkpoints'), jobManager: mounted('jobmanager', claim('a')), taskManager: mounted('taskmanager', claim('b')) }, '"/state/checkpoints" is on volume "state" (persistentVolumeClaim a) in the JobManager pod but on volume "state" (persistentVolumeClaim b) in the TaskManager pods, which are not the same files'],
    [{ configuration: checkpointing('/state/checkpoints'), jobManager: mounted('jobmanager', claim('a')), taskManager: mounted('taskmanager', claim('a'), { readOnly: true }) }, '"/state/checkpoints" is on volume "state", mounted read-only in the TaskManager pods'],
    // A mount in another container of the pod is not the runtime's.
    [{ configuration: checkpointing('/state/checkpoints'), jobManager: mounted('jobmanager', claim('a')), taskManager: mounted('log-shipper' as 'taskmanager', claim('a')) }, '"/state/checkpoints" is on no volume of the TaskManager pods, so each pod would use its own disk'],
    [{ configuration: checkpointing('checkpoints') }, '"checkpoints" is a relative path, which each pod resolves in its own working directory'],
    [{ configuration: checkpointing('hdfs://nn/checkpoints') }, '"hdfs://nn/checkpoints" is neither an s3:// URI nor a file:// path'],
  ];
  for (const [rest, where] of cases) assert.deepEqual(sharedStorageProblems(spec(rest)), [{ field: CHECKPOINTS, reason: `${where}${SAME_FILES}` }]);
});

test('the HA storage directory and the initial savepoint are checked where given', () => {
  const configuration = { 'state.checkpoints.dir': 's3://weir/checkpoints', 'high-availability.type': 'kubernetes', 'high-availability.storageDir': '/ha' };
  assert.deepEqual(sharedStorageProblems(spec({ configuration }, { initialSavepointPath: '/savepoints/savepoint-1' })), [
    { field: 'spec.configuration["high-availability.storageDir"]', reason: `"/ha" is on no volume of the JobManager and TaskManager pods, so each pod would use its own disk${SAME_FILES}` },
    { field: 'spec.job.initialSavepointPath', reason: `"/savepoints/savepoint-1" is on no volume of the JobManager and TaskManager pods, so each pod would use its own disk${SAME_FILES}` },
  ]);
});

test('validateSpec reports them with the other problems, so such a spec is not deployed', () => {
  const problems = validateSpec(spec({}, { upgradeMode: 'savepoint' }));
  assert.deepEqual(problems.map((p) => p.field), [CHECKPOINTS, SAVEPOINTS]);
  assert.match(describeProblems(problems), /^spec\.configuration\["state\.checkpoints\.dir"\] is not set, and upgradeMode savepoint needs checkpoints/);
});
