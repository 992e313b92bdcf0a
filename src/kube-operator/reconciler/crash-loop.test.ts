import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { StreamDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { CLUSTER_HASH_ANNOTATION } from '../children/names.ts';
import { actionsOf } from './actions.ts';
import type { ReconcilePlan } from './actions.ts';
import { crashLoopOf, describeCrashLoop } from './crash-loop.ts';
import type { Facts } from './facts.ts';
import { reconcile } from './reconcile.ts';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const TIMING = { progressIntervalMs: 1000, stableIntervalMs: 10_000 };
const MISSING_ENTRY = 'weir: [JOB_NOT_FOUND] job module /opt/weir/job/fraud.ts does not exist';

function sdep(status?: StreamDeploymentStatus): StreamDeployment {
  return {
    apiVersion: 'weir.dev/v1alpha1',
    kind: 'StreamDeployment',
    metadata: { name: 'fraud', namespace: 'jobs', uid: 'uid-1', generation: 1, resourceVersion: '10', finalizers: ['weir.dev/finalizer'] },
    spec: { image: 'weir:1', job: { entry: '/opt/weir/job/fraud.ts', parallelism: 2 } },
    status,
  };
}

interface ContainerLike {
  waiting?: string;
  restartCount?: number;
  ready?: boolean;
  lastExit?: { exitCode: number; reason: string; message?: string };
}

function pod(name: string, c: ContainerLike, hash: string, deleting = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'jobs', annotations: { [CLUSTER_HASH_ANNOTATION]: hash }, ...(deleting ? { deletionTimestamp: '2026-11-23T09:59:00Z' } : {}) },
    status: {
      containerStatuses: [{
        name: 'jobmanager',
        ready: c.ready ?? false,
        restartCount: c.restartCount ?? 0,
        state: c.waiting ? { waiting: { reason: c.waiting } } : { running: { startedAt: '2026-11-23T09:59:59Z' } },
        lastState: c.lastExit ? { terminated: c.lastExit } : {},
      }],
    },
  };
}

const crashing: ContainerLike = { waiting: 'CrashLoopBackOff', restartCount: 3, lastExit: { exitCode: 1, reason: 'Error', message: `${MISSING_ENTRY}\n` } };

test('crashLoopOf: a container backing off, else one that failed and is not ready again; pods being deleted do not count', () => {
  assert.deepEqual(crashLoopOf([pod('jm-1', crashing, 'h')]), { pod: 'jm-1', container: 'jobmanager', restartCount: 3, backingOff: true, exitCode: 1, reason: 'Error', message: MISSING_ENTRY });
  const restarted = { restartCount: 4, lastExit: { exitCode: 1, reason: 'Error' } };
  assert.equal(crashLoopOf([pod('jm-1', restarted, 'h')])?.backingOff, false);
  assert.equal(crashLoopOf([pod('jm-1', { ...restarted, ready: true }, 'h')]), undefined, 'ready again');
  assert.equal(crashLoopOf([pod('jm-1', { restartCount: 1, lastExit: { exitCode: 0, reason: 'Completed' } }, 'h')]), undefined, 'a clean exit');
  assert.equal(crashLoopOf([pod('jm-1', { waiting: 'ContainerCreating' }, 'h')]), undefined);
  assert.equal(crashLoopOf([pod('jm-1', crashing, 'h', true)]), undefined);
  assert.equal(crashLoopOf([pod('jm-1', restarted, 'h'), pod('jm-2', crashing, 'h')])?.pod, 'jm-2', 'the one backing off first');
});

test('describeCrashLoop says what failed and how, without the restart count, and keeps the end of a long message', () => {
  const one = crashLoopOf([pod('jm-1', crashing, 'h')])!;
  assert.equal(describeCrashLoop(one), `the JobManager keeps crashing: container jobmanager of pod jm-1 is in CrashLoopBackOff, last exit code 1 (Error): ${MISSING_ENTRY}`);
  assert.equal(describeCrashLoop({ ...one, restartCount: 9 }), describeCrashLoop(one));
  const long = describeCrashLoop({ ...one, message: `${'x'.repeat(1000)}the end` });
  assert.ok(long.endsWith(`: ...${'x'.repeat(505)}the end`));
});

/** The first pass's children, rolled out except the JobManager, whose pod is `jmPod`. */
function crashFacts(status: StreamDeploymentStatus | undefined, jmPod: ContainerLike | undefined): { facts: Facts; plan: ReconcilePlan } {
  const first = reconcile({ sd: sdep(), children: [], jobManager: undefined, now: NOW }, TIMING);
  const created = actionsOf(first, 'createChild').map((a) => a.object);
  const children = created.map((o): KubeObject => {
    if (o.kind !== 'Deployment') return { ...o, metadata: { ...o.metadata, resourceVersion: '5' } };
    const replicas = (o.spec as { replicas: number }).replicas;
    const ready = o.metadata.name !== 'fraud-jobmanager';
    return { ...o, metadata: { ...o.metadata, generation: 1, resourceVersion: '5' }, status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: ready ? replicas : 0 } };
  });
  const jm = created.find((o) => o.metadata.name === 'fraud-jobmanager')!;
  const hash = (jm.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations[CLUSTER_HASH_ANNOTATION]!;
  const firstStatus = actionsOf(first, 'writeStatus')[0]!.status;
  const facts: Facts = { sd: sdep(status ?? firstStatus), children, jobManager: undefined, jobManagerPods: jmPod ? [pod('fraud-jobmanager-abc-x1', jmPod, hash)] : [], now: NOW };
  return { facts, plan: reconcile(facts, TIMING) };
}

const statusOf = (plan: ReconcilePlan): StreamDeploymentStatus => actionsOf(plan, 'writeStatus').at(-1)!.status;

test('a JobManager in CrashLoopBackOff: ERROR, Degraded with the last exit and message, status.error, one Warning Event', () => {
  const { plan } = crashFacts(undefined, crashing);
  const status = statusOf(plan);
  const message = `the JobManager keeps crashing: container jobmanager of pod fraud-jobmanager-abc-x1 is in CrashLoopBackOff, last exit code 1 (Error): ${MISSING_ENTRY}`;
  assert.equal(status.jobManagerDeploymentStatus, 'ERROR');
  assert.equal(status.lifecycleState, 'DEPLOYED');
  assert.equal(status.error, message);
  const degraded = status.conditions?.find((c) => c.type === 'Degraded');
  assert.deepEqual([degraded?.status, degraded?.reason, degraded?.message], ['True', 'CrashLoopBackOff', message]);
  assert.deepEqual(actionsOf(plan, 'recordEvent').map((a) => a.event), [{ type: 'Warning', reason: 'CrashLoopBackOff', message }]);
  // Its pod is watched: the pass polls again.
  assert.deepEqual(actionsOf(plan, 'requeueAfter'), [{ type: 'requeueAfter', ms: 1000 }]);

  // Between two restarts (running again, not ready): still ERROR, and no second Event.
  const between = crashFacts(status, { restartCount: 4, lastExit: { exitCode: 1, reason: 'Error', message: MISSING_ENTRY } });
  assert.deepEqual(actionsOf(between.plan, 'recordEvent'), []);
  assert.deepEqual(actionsOf(between.plan, 'writeStatus'), [], 'nothing changed');
});

test('a JobManager that restarted once but is only starting (never backed off): DEPLOYING, not ERROR; ready again clears the error', () => {
  const starting = crashFacts(undefined, { restartCount: 1, lastExit: { exitCode: 1, reason: 'Error' } });
  assert.equal(statusOf(starting.plan).jobManagerDeploymentStatus, 'DEPLOYING');
  assert.equal(statusOf(starting.plan).conditions?.find((c) => c.type === 'Degraded')?.status, 'False');

  const failed = statusOf(crashFacts(undefined, crashing).plan);
  const recovered = crashFacts(failed, { restartCount: 5, ready: true, lastExit: { exitCode: 1, reason: 'Error' } });
  const status = statusOf(recovered.plan);
  assert.equal(status.jobManagerDeploymentStatus, 'DEPLOYING');
  assert.equal(status.error, undefined);
  assert.equal(status.conditions?.find((c) => c.type === 'Degraded')?.reason, 'AsExpected');
});

test('a crash-looping pod of another template (the one being replaced) is not this JobManager\'s', () => {
  const { facts } = crashFacts(undefined, crashing);
  const other = { ...facts, jobManagerPods: facts.jobManagerPods!.map((p) => ({ ...p, metadata: { ...p.metadata, annotations: { [CLUSTER_HASH_ANNOTATION]: 'old' } } })) };
  assert.equal(statusOf(reconcile(other, TIMING)).jobManagerDeploymentStatus, 'DEPLOYING');
});
