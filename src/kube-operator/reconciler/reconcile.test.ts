import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile, sameStatus } from './reconcile.ts';
import type { ReconcileTiming } from './reconcile.ts';
import type { Facts, JobObservation, TaskCounts } from './facts.ts';
import { actionsOf } from './actions.ts';
import type { ReconcilePlan } from './actions.ts';
import type { EventSpec } from './facts.ts';
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { StreamDeploymentSpec, StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import { SHARED_STORAGE } from '../../../test/support/kube-operator/reconcile-world.ts';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const TIMING = { progressIntervalMs: 1000, stableIntervalMs: 10_000 };

function sdep(spec: Partial<StreamDeploymentSpec> = {}, status?: StreamDeploymentStatus, meta: Partial<StreamDeployment['metadata']> = {}): StreamDeployment {
  return {
    apiVersion: 'weir.dev/v1alpha1',
    kind: 'StreamDeployment',
    metadata: { name: 'fraud', namespace: 'jobs', uid: 'uid-1', generation: 1, resourceVersion: '10', finalizers: ['weir.dev/finalizer'], ...meta },
    spec: { image: 'weir:1', job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2 }, ...spec },
    status,
  };
}

/** Children as the API server would show them once created and rolled out. */
function observedFrom(apply: KubeObject[], ready = true): KubeObject[] {
  return apply.map((o) => {
    if (o.kind !== 'Deployment') return { ...o, metadata: { ...o.metadata, resourceVersion: '5' } };
    const replicas = (o.spec as { replicas: number }).replicas;
    const status = ready ? { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas } : { observedGeneration: 1 };
    return { ...o, metadata: { ...o.metadata, generation: 1, resourceVersion: '5' }, status };
  });
}

function facts(sd: StreamDeployment, children: KubeObject[] = [], jobManager?: JobObservation): Facts {
  return { sd, children, jobManager, now: NOW };
}

const NO_TASKS: TaskCounts = { total: 0, created: 0, scheduled: 0, deploying: 0, running: 0, finished: 0, canceling: 0, canceled: 0, failed: 0, reconciling: 0, initializing: 0 };
const tasks = (counts: Partial<TaskCounts>): TaskCounts => ({ ...NO_TASKS, ...counts });
const jobIn = (state: string, counts: Partial<TaskCounts>): JobObservation => ({ reachable: true, job: { id: 'a'.repeat(32), name: 'fraud detection', state, startTime: 1_700_000_000_000, tasks: tasks(counts) } });
const running = jobIn('RUNNING', { total: 2, running: 2 });

/** A plan read back by what it does: the shape the assertions below were written against. */
interface PlanView {
  actions: ReconcilePlan;
  finalizer?: 'add' | 'remove';
  recordTarget?: StreamDeploymentStatus;
  apply: KubeObject[];
  cancelJob?: string;
  events: EventSpec[];
  /** The status stored once the plan ran: the last one it writes, or the one it found. */
  status: StreamDeploymentStatus;
  requeueAfterMs?: number;
}

function decide(f: Facts, timing: ReconcileTiming): PlanView {
  const actions = reconcile(f, timing);
  const written = actions.flatMap((a) => (a.type === 'recordTarget' || a.type === 'writeStatus' ? [a.status] : []));
  return {
    actions,
    finalizer: actionsOf(actions, 'addFinalizer').length > 0 ? 'add' : actionsOf(actions, 'removeFinalizer').length > 0 ? 'remove' : undefined,
    recordTarget: actionsOf(actions, 'recordTarget')[0]?.status,
    apply: actions.flatMap((a) => (a.type === 'createChild' || a.type === 'replaceChild' ? [a.object] : [])),
    cancelJob: actionsOf(actions, 'cancelJob')[0]?.jobId,
    events: actionsOf(actions, 'recordEvent').map((a) => a.event),
    status: written.at(-1) ?? f.sd.status ?? {},
    requeueAfterMs: actionsOf(actions, 'requeueAfter')[0]?.ms,
  };
}

test('a new StreamDeployment: finalizer, target recorded first, every child created with owner and labels', () => {
  const plan = decide(facts(sdep({}, undefined, { finalizers: [] })), TIMING);
  assert.equal(plan.finalizer, 'add');
  assert.equal(plan.recordTarget?.lifecycleState, 'DEPLOYED');
  assert.equal(plan.recordTarget?.reconciliation?.state, 'DEPLOYED');
  assert.equal(plan.recordTarget?.reconciliation?.lastReconciledSpec, '{"image":"weir:1","job":{"entry":"/opt/weir/job/fraud.ts","parallelism":2}}');
  assert.deepEqual(
    plan.apply.map((o) => `${o.kind}/${o.metadata.name}`),
    ['ServiceAccount/fraud-weir', 'Role/fraud-ha', 'RoleBinding/fraud-ha', 'ConfigMap/fraud-config', 'Service/fraud-rest', 'Deployment/fraud-jobmanager', 'Deployment/fraud-taskmanager'],
  );
  for (const o of plan.apply) {
    assert.deepEqual(o.metadata.ownerReferences, [{ apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment', name: 'fraud', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(o.metadata.labels?.['app.kubernetes.io/instance'], 'fraud');
    assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'weir-operator');
  }
  const jm = plan.apply.find((o) => o.metadata.name === 'fraud-jobmanager')!;
  const jmContainer = (jm.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]!;
  assert.deepEqual(jmContainer.args, ['jobmanager', '/opt/weir/job/fraud.ts', '--cluster', '--rest-address', '0.0.0.0', '--rest-port', '8081', '--parallelism', '2', '--config-dir', '/opt/weir/conf']);
  const tm = plan.apply.find((o) => o.metadata.name === 'fraud-taskmanager')!;
  assert.equal((tm.spec as { replicas: number }).replicas, 2);
  assert.deepEqual(plan.events, [{ type: 'Normal', reason: 'Submit', message: 'Deploying /opt/weir/job/fraud.ts with parallelism 2' }]);
  assert.equal(plan.status.lifecycleState, 'DEPLOYED');
  assert.equal(plan.status.jobManagerDeploymentStatus, 'DEPLOYING');
  // Nothing to poll yet: the Deployments' own changes wake the controller.
  assert.equal(plan.requeueAfterMs, undefined);
});

test('children in place and the job running: STABLE, Ready, and a second pass writes nothing', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const plan = decide(facts(sdep({}, first.status), children, running), TIMING);
  assert.deepEqual(plan.apply, []);
  assert.equal(plan.recordTarget, undefined);
  assert.equal(plan.status.lifecycleState, 'STABLE');
  assert.equal(plan.status.jobManagerDeploymentStatus, 'READY');
  assert.deepEqual(plan.status.job, { id: 'a'.repeat(32), name: 'fraud detection', state: 'RUNNING', startTime: '1700000000000' });
  assert.equal(plan.status.reconciliation?.lastStableSpec, plan.status.reconciliation?.lastReconciledSpec);
  assert.deepEqual(plan.status.conditions?.map((c) => `${c.type}=${c.status}`), ['Degraded=False', 'Ready=True', 'Progressing=False']);
  assert.deepEqual(plan.events, [{ type: 'Normal', reason: 'JobStatusChanged', message: 'Job status changed from none to RUNNING' }]);
  assert.equal(plan.requeueAfterMs, 10_000);
  assert.deepEqual(plan.status.taskManager, { replicas: 2, labelSelector: 'app.kubernetes.io/name=weir,app.kubernetes.io/instance=fraud,app.kubernetes.io/component=taskmanager' });
  const again = decide({ ...facts(sdep({}, plan.status), children, running), now: new Date(NOW.getTime() + 60_000) }, TIMING);
  assert.deepEqual(again.apply, []);
  assert.deepEqual(again.events, []);
  assert.equal(sameStatus(plan.status, again.status), true);
});

test('TaskManagers not ready yet: DEPLOYED and Progressing, not STABLE', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply).map((o) => (o.metadata.name === 'fraud-taskmanager' ? { ...o, status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 1 } } : o));
  const plan = decide(facts(sdep({}, first.status), children, running), TIMING);
  assert.equal(plan.status.lifecycleState, 'DEPLOYED');
  assert.equal(plan.status.conditions?.find((c) => c.type === 'Progressing')?.status, 'True');
});

test('a spec change: UPGRADING recorded before the Deployments are replaced, and the old JobManager\'s job is not taken for the new one', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const stable = decide(facts(sdep({}, first.status), children, running), TIMING).status;
  const changed = sdep({ image: 'weir:2' }, stable, { generation: 2 });
  const plan = decide(facts(changed, children, running), TIMING);
  assert.equal(plan.recordTarget?.lifecycleState, 'UPGRADING');
  assert.equal(plan.recordTarget?.reconciliation?.state, 'UPGRADING');
  assert.deepEqual(plan.apply.map((o) => o.metadata.name), ['fraud-jobmanager', 'fraud-taskmanager']);
  assert.equal(plan.status.lifecycleState, 'UPGRADING');
  assert.equal(plan.status.jobManagerDeploymentStatus, 'DEPLOYING');
  assert.equal(plan.status.observedGeneration, 2);
});

test('taskManager replicas follow parallelism and slots; a pod template adds a sidecar and env under the operator\'s container', () => {
  const plan = decide(
    facts(
      sdep({
        job: { entry: '/j.ts', parallelism: 5 },
        configuration: { 'taskmanager.numberOfTaskSlots': '2' },
        taskManager: { podTemplate: { spec: { containers: [{ name: 'taskmanager', env: [{ name: 'TZ', value: 'UTC' }] }, { name: 'log-shipper', image: 'fluent-bit:3' }] } } },
      }),
    ),
    TIMING,
  );
  const tm = plan.apply.find((o) => o.metadata.name === 'fraud-taskmanager')!;
  const spec = tm.spec as { replicas: number; template: { spec: { containers: { name: string; image: string; args?: string[]; env?: { name: string }[] }[] } } };
  assert.equal(spec.replicas, 3);
  assert.deepEqual(spec.template.spec.containers.map((c) => c.name), ['taskmanager', 'log-shipper']);
  assert.deepEqual(spec.template.spec.containers[0]!.env!.map((e) => e.name), ['TZ', 'POD_IP', 'TMPDIR', 'NODE_OPTIONS']);
  assert.equal(spec.template.spec.containers[0]!.image, 'weir:1');
  assert.deepEqual(spec.template.spec.containers[0]!.args!.slice(0, 5), ['taskmanager', '--jobmanager', 'http://fraud-rest:8081', '--slots', '2']);
  const cm = plan.apply.find((o) => o.kind === 'ConfigMap')!;
  assert.equal(
    (cm.data as Record<string, string>)['config.yaml'],
    'execution.shutdown-on-application-finish: "false"\nparallelism.default: "5"\nrest.port: "8081"\ntaskmanager.numberOfTaskSlots: "2"\n',
  );
});

test('a spec wrong in meaning: Degraded with every field, one ValidationError event, children untouched', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const stable = decide(facts(sdep({}, first.status), children, running), TIMING).status;
  const bad = sdep({ image: '', job: { entry: 'fraud', parallelism: 300, maxParallelism: 128 }, configuration: { 'taskmanager.numberOfTaskSlots': '0' } }, stable, { generation: 2 });
  const plan = decide(facts(bad, children, running), TIMING);
  const message =
    'spec.image is required: set it to the runtime image that holds the job, e.g. ghcr.io/acme/fraud-job:1.0; ' +
    'spec.job.entry "fraud" is not a module path: give the path of the job module inside the image, ending in .ts, .mts, .js or .mjs, e.g. /opt/weir/job/fraud-detection.ts; ' +
    'spec.configuration["taskmanager.numberOfTaskSlots"] is "0"; it must be a whole number >= 1; ' +
    'spec.job.parallelism 300 is above the maximum parallelism 128 (spec.job.maxParallelism); lower the parallelism or raise the maximum (which changes key groups, so only before the job has state)';
  assert.deepEqual(plan.apply, []);
  assert.equal(plan.recordTarget, undefined);
  assert.deepEqual(plan.events, [{ type: 'Warning', reason: 'ValidationError', message }]);
  assert.equal(plan.status.error, message);
  assert.equal(plan.status.lifecycleState, 'STABLE');
  assert.equal(plan.status.reconciliation?.lastReconciledSpec, stable.reconciliation?.lastReconciledSpec);
  assert.deepEqual(plan.status.conditions?.find((c) => c.type === 'Degraded'), { type: 'Degraded', status: 'True', reason: 'ValidationError', message, observedGeneration: 2, lastTransitionTime: '2026-11-23T10:00:00Z' });
  const again = decide(facts(sdep(bad.spec, plan.status, { generation: 2 }), children, running), TIMING);
  assert.deepEqual(again.events, []);
  assert.equal(sameStatus(plan.status, again.status), true);
});

test('too few TaskManager slots for the parallelism is reported, not deployed', () => {
  const plan = decide(facts(sdep({ job: { entry: '/j.ts', parallelism: 4 }, taskManager: { replicas: 1 } })), TIMING);
  assert.deepEqual(plan.apply, []);
  assert.equal(plan.status.error, 'spec.taskManager.replicas 1 TaskManager(s) with 1 slot(s) each offer 1 slots, fewer than the parallelism 4; raise the replicas or the slots, or leave replicas unset to derive them');
});

test('suspend scales both Deployments to zero; resume brings them back', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const stable = decide(facts(sdep({}, first.status), children, running), TIMING).status;
  const suspended = sdep({ job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2, state: 'suspended' } }, stable, { generation: 2 });
  const plan = decide(facts(suspended, children, running), TIMING);
  assert.deepEqual(plan.apply.map((o) => [o.metadata.name, (o.spec as { replicas: number }).replicas]), [['fraud-jobmanager', 0], ['fraud-taskmanager', 0]]);
  assert.equal(plan.status.lifecycleState, 'SUSPENDED');
  assert.equal(plan.status.job?.state, 'SUSPENDED');
  assert.deepEqual(plan.events.map((e) => e.reason), ['Suspended', 'JobStatusChanged']);
  const scaledDown = [...children.filter((c) => c.kind !== 'Deployment'), ...observedFrom(plan.apply)];
  const resumed = decide(facts(sdep({}, plan.status, { generation: 3 }), scaledDown), TIMING);
  assert.deepEqual(resumed.apply.map((o) => [o.metadata.name, (o.spec as { replicas: number }).replicas]), [['fraud-jobmanager', 1], ['fraud-taskmanager', 2]]);
  // The resumed spec is the one that last ran stably: deployed again, not an upgrade.
  assert.equal(resumed.status.lifecycleState, 'DEPLOYED');
});

test('a failed job: FAILED, Degraded with the cause, and a Warning event', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const stable = decide(facts(sdep({}, first.status), children, running), TIMING).status;
  const failed: JobObservation = { reachable: true, job: { id: 'a'.repeat(32), name: 'fraud detection', state: 'FAILED', startTime: 1_700_000_000_000, tasks: tasks({ total: 2, failed: 1, canceled: 1 }), failureCause: 'UDF_FAILED: boom' } };
  const plan = decide(facts(sdep({}, stable), children, failed), TIMING);
  assert.equal(plan.status.lifecycleState, 'FAILED');
  assert.equal(plan.status.error, 'UDF_FAILED: boom');
  assert.equal(plan.status.conditions?.find((c) => c.type === 'Degraded')?.reason, 'JobFailed');
  assert.deepEqual(plan.events, [{ type: 'Warning', reason: 'JobStatusChanged', message: 'Job status changed from RUNNING to FAILED: UDF_FAILED: boom' }]);
});

test('savepoint mode and a nonce at creation: deployed, not Degraded, the nonce counted as handled (no job to snapshot yet)', () => {
  const asked = sdep({ configuration: SHARED_STORAGE, job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2, upgradeMode: 'savepoint', savepointTriggerNonce: 1 } });
  const first = decide(facts(asked), TIMING);
  assert.equal(first.apply.length, 7);
  assert.deepEqual(first.events, [{ type: 'Normal', reason: 'Submit', message: 'Deploying /opt/weir/job/fraud.ts with parallelism 2' }]);
  assert.equal(first.status.conditions?.find((c) => c.type === 'Degraded')?.status, 'False');
  assert.equal(first.status.savepoints?.lastSavepointNonce, 1);
  const stable = decide(facts({ ...asked, status: first.status }, observedFrom(first.apply), running), TIMING);
  assert.equal(stable.status.lifecycleState, 'STABLE');
  assert.deepEqual(actionsOf(stable.actions, 'triggerSavepoint'), []);
});

test('deletion: DELETING, the running job cancelled, then the finalizer removed', () => {
  const plan = decide(facts(sdep({}, { lifecycleState: 'STABLE' }, { deletionTimestamp: '2026-11-23T10:00:00Z' }), [], running), TIMING);
  assert.equal(plan.status.lifecycleState, 'DELETING');
  assert.equal(plan.cancelJob, 'a'.repeat(32));
  assert.equal(plan.finalizer, 'remove');
  assert.deepEqual(plan.apply, []);
});

test('deletion under JobManager HA: the JobManager goes first (Foreground), then its HA ConfigMaps, then the finalizer', () => {
  const ha = { configuration: { 'high-availability.type': 'kubernetes' } };
  const deleting = sdep(ha, { lifecycleState: 'DELETING' }, { deletionTimestamp: '2026-11-23T10:00:00Z' });
  const jobManager: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fraud-jobmanager', namespace: 'jobs', resourceVersion: '7' } };
  const first = reconcile(facts(deleting, [jobManager], running), TIMING);
  assert.deepEqual(
    first.map((a) => a.type),
    ['cancelJob', 'deleteChild', 'requeueAfter'],
  );
  assert.equal(actionsOf(first, 'deleteChild')[0]!.object, jobManager);
  // Its deletion under way: nothing more than waiting.
  const waiting = reconcile(facts(deleting, [{ ...jobManager, metadata: { ...jobManager.metadata, deletionTimestamp: '2026-11-23T10:00:01Z' } }]), TIMING);
  assert.deepEqual(waiting, [{ type: 'requeueAfter', ms: 1000 }]);
  assert.deepEqual(reconcile(facts(deleting, []), TIMING), [{ type: 'deleteHaConfigMaps', clusterId: 'fraud' }, { type: 'removeFinalizer' }]);
  const named = sdep({ configuration: { ...ha.configuration, 'high-availability.cluster-id': 'fraud-ha' } }, { lifecycleState: 'DELETING' }, { deletionTimestamp: '2026-11-23T10:00:00Z' });
  assert.deepEqual(actionsOf(reconcile(facts(named, []), TIMING), 'deleteHaConfigMaps'), [{ type: 'deleteHaConfigMaps', clusterId: 'fraud-ha' }]);
});

test('a child of the same name that another owner holds is reported, never overwritten', () => {
  const stranger: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fraud-config', namespace: 'jobs', uid: 'x' } };
  const plan = decide(facts(sdep(), [stranger]), TIMING);
  assert.deepEqual(plan.apply, []);
  assert.equal(plan.status.error, 'ConfigMap/fraud-config already exist and are not owned by this StreamDeployment; delete or rename them');
});

test('an image change while suspended is accepted and rolls nothing up: the Deployments stay at zero with the new image', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const stable = decide(facts(sdep({}, first.status), children, running), TIMING).status;
  const suspendedSpec = { job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2, state: 'suspended' as const } };
  const suspended = decide(facts(sdep(suspendedSpec, stable, { generation: 2 }), children, running), TIMING);
  const scaledDown = [...children.filter((c) => c.kind !== 'Deployment'), ...observedFrom(suspended.apply)];
  const plan = decide(facts(sdep({ ...suspendedSpec, image: 'weir:2' }, suspended.status, { generation: 3 }), scaledDown), TIMING);
  assert.equal(plan.status.error, undefined);
  assert.equal(plan.status.lifecycleState, 'SUSPENDED');
  assert.deepEqual(
    plan.apply.map((o) => [o.metadata.name, (o.spec as { replicas: number }).replicas, (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image]),
    [['fraud-jobmanager', 0, 'weir:2'], ['fraud-taskmanager', 0, 'weir:2']],
  );
});

test('the plan of a new StreamDeployment is ordered: finalizer, target, its event, children, status', () => {
  const plan = reconcile(facts(sdep({}, undefined, { finalizers: [] })), TIMING);
  assert.deepEqual(
    plan.map((a) => (a.type === 'createChild' || a.type === 'replaceChild' ? `${a.type} ${a.object.kind}` : a.type)),
    [
      'addFinalizer',
      'recordTarget',
      'recordEvent',
      'createChild ServiceAccount',
      'createChild Role',
      'createChild RoleBinding',
      'createChild ConfigMap',
      'createChild Service',
      'createChild Deployment',
      'createChild Deployment',
      'writeStatus',
    ],
  );
});

test('an unchanged world: the plan writes nothing and only polls again', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const stable = decide(facts(sdep({}, first.status), children, running), TIMING).status;
  assert.deepEqual(reconcile({ ...facts(sdep({}, stable), children, running), now: new Date(NOW.getTime() + 60_000) }, TIMING), [{ type: 'requeueAfter', ms: 10_000 }]);
});

test('deletion: the job is cancelled best effort, then the status, its event and the finalizer, and nothing is requeued', () => {
  const plan = reconcile(facts(sdep({}, { lifecycleState: 'STABLE' }, { deletionTimestamp: '2026-11-23T10:00:00Z' }), [], running), TIMING);
  assert.deepEqual(plan, [
    { type: 'cancelJob', jobId: 'a'.repeat(32), bestEffort: true },
    { type: 'writeStatus', status: { lifecycleState: 'DELETING' } },
    { type: 'recordEvent', event: { type: 'Normal', reason: 'Deleting', message: 'Deleting the job and its cluster' } },
    { type: 'removeFinalizer' },
  ]);
});

test('a changed child is replaced with the observed resourceVersion; a Service keeps its allocated cluster IPs', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply).map((o) =>
    o.kind === 'Service' ? { ...o, metadata: { ...o.metadata, annotations: {}, resourceVersion: '7' }, spec: { ...(o.spec as object), clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'] } } : o,
  );
  const plan = reconcile(facts(sdep({}, first.status), children, running), TIMING);
  const replaced = actionsOf(plan, 'replaceChild');
  assert.deepEqual(replaced.map((a) => `${a.object.kind}/${a.object.metadata.name}@${a.object.metadata.resourceVersion}`), ['Service/fraud-rest@7']);
  const spec = replaced[0]!.object.spec as { clusterIP: string; clusterIPs: string[]; ports: unknown[] };
  assert.equal(spec.clusterIP, '10.96.0.7');
  assert.deepEqual(spec.clusterIPs, ['10.96.0.7']);
  assert.deepEqual(actionsOf(plan, 'createChild'), []);
});

/** Children rolled out and a job observed with these task counts: the lifecycle state that follows. */
function lifecycleWith(job: JobObservation): { state: string | undefined; ready: string | undefined } {
  const first = decide(facts(sdep()), TIMING);
  const plan = decide(facts(sdep({}, first.status), observedFrom(first.apply), job), TIMING);
  return { state: plan.status.lifecycleState, ready: plan.status.conditions?.find((c) => c.type === 'Ready')?.status };
}

test('STABLE needs every task running: a RUNNING job with tasks still scheduled, deploying or restoring is DEPLOYED', () => {
  assert.deepEqual(lifecycleWith(jobIn('RUNNING', { total: 2, running: 2 })), { state: 'STABLE', ready: 'True' });
  assert.deepEqual(lifecycleWith(jobIn('RUNNING', { total: 3, running: 1, scheduled: 1, deploying: 1 })), { state: 'DEPLOYED', ready: 'False' });
  assert.deepEqual(lifecycleWith(jobIn('RUNNING', { total: 2, running: 1, initializing: 1 })), { state: 'DEPLOYED', ready: 'False' });
  assert.deepEqual(lifecycleWith(jobIn('RUNNING', { total: 2, created: 2 })), { state: 'DEPLOYED', ready: 'False' });
  assert.deepEqual(lifecycleWith(jobIn('RUNNING', {})), { state: 'DEPLOYED', ready: 'False' }, 'a job of no tasks is not taken as running');
  assert.deepEqual(lifecycleWith(jobIn('FINISHED', { total: 2, finished: 2 })), { state: 'STABLE', ready: 'True' });
  assert.deepEqual(lifecycleWith(jobIn('RESTARTING', { total: 2, canceling: 2 })), { state: 'DEPLOYED', ready: 'False' });
});

test('a STABLE job that loses a task (its TaskManager died) is no longer STABLE, and STABLE again once every task runs', () => {
  const first = decide(facts(sdep()), TIMING);
  const children = observedFrom(first.apply);
  const stable = decide(facts(sdep({}, first.status), children, running), TIMING).status;
  const degraded = decide(facts(sdep({}, stable), children, jobIn('RUNNING', { total: 2, running: 1, scheduled: 1 })), TIMING);
  assert.equal(degraded.status.lifecycleState, 'DEPLOYED');
  assert.equal(degraded.status.job?.state, 'RUNNING');
  assert.deepEqual(degraded.status.conditions?.map((c) => `${c.type}=${c.status}`), ['Degraded=False', 'Ready=False', 'Progressing=True']);
  assert.equal(degraded.requeueAfterMs, 1000);
  const again = decide(facts(sdep({}, degraded.status), children, running), TIMING);
  assert.equal(again.status.lifecycleState, 'STABLE');
});

test('autoscaler: a STABLE pass with samples records the decision and its ScalingReport; a spec change restarts stabilization', () => {
  const autoscaler = { enabled: true, metricsOnly: true, targetUtilization: 0.5, targetUtilizationBoundary: 0.2, restartTime: '0s' };
  const first = decide(facts(sdep({ autoscaler })), TIMING);
  const children = observedFrom(first.apply);
  const at = (t: number, busy: number) => ({ at: NOW.getTime() + t, recordsInPerSecond: 1000, recordsOutPerSecond: 1000, busyTimeMsPerSecond: busy, backPressuredTimeMsPerSecond: 0 });
  const vertices = [{ id: 'v1', name: 'Source: orders', parallelism: 2, maxParallelism: 128, keyed: false, inputs: [], samples: [at(-15_000, 1000), at(0, 1000)] }];
  const plan = decide({ ...facts(sdep({ autoscaler }, first.status), children, running), autoscaler: vertices }, TIMING);
  assert.equal(plan.status.lifecycleState, 'STABLE');
  assert.deepEqual(plan.status.autoscaler?.vertices?.map((v) => [v.current, v.recommended, v.reason]), [[2, 4, 'ScaleUp']]);
  assert.deepEqual(plan.events.filter((e) => e.reason === 'ScalingReport').map((e) => e.message), ['Recommended, not applied (metricsOnly): Source: orders 2 -> 4 (utilization 1 at 1000 records/s target, 500 records/s per subtask; needs 4 subtasks -> 4)']);
  // A change of the user's spec is a new generation (status writes never make one).
  const changed = decide(facts(sdep({ autoscaler, image: 'weir:2' }, plan.status, { generation: 2 }), children, running), TIMING);
  assert.equal(changed.status.autoscaler?.lastSpecChangeTime, NOW.toISOString());
});
