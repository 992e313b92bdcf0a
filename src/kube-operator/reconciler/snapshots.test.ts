import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionsOf } from './actions.ts';
import { triggerIdFor } from './write-ahead.ts';
import { JOB_ID, T0, UID, World, baseSpec, jobIn, summary } from '../../../test/support/kube-operator/reconcile-world.ts';

const HOUR = 3600_000;

test('savepointTriggerNonce: pendingTrigger written before the trigger, the result in last and history, the nonce handled once', () => {
  const w = new World(baseSpec()).stable();
  w.change({ savepointTriggerNonce: 7 });
  const triggerId = triggerIdFor(UID, 'savepoint', 'MANUAL', 7, 0);
  const plan = w.pass();
  // The nonce is IGNORE for the deployment: the spec is recorded, nothing is redeployed.
  assert.deepEqual(summary(plan), ['recordTarget STABLE', 'recordTarget STABLE', 'triggerSavepoint continue', 'event SavepointTriggered', 'writeStatus STABLE', 'requeue 1000']);
  assert.deepEqual(w.writes[1]?.savepoints?.pendingTrigger, { kind: 'savepoint', triggerType: 'MANUAL', nonce: 7, jobId: JOB_ID, triggerId, triggerTime: T0, attempt: 0 });
  assert.deepEqual(actionsOf(plan, 'triggerSavepoint'), [{ type: 'triggerSavepoint', jobId: JOB_ID, triggerId, then: 'continue' }]);
  w.snapshot = { status: 'IN_PROGRESS' };
  assert.deepEqual(summary(w.pass()), ['requeue 1000']);
  w.snapshot = { status: 'COMPLETED', location: '/sp/one' };
  w.now = T0 + 5000;
  assert.deepEqual(summary(w.pass()), ['writeStatus STABLE', 'event SavepointCompleted', 'requeue 10000']);
  // As the API server stores it (undefined fields are not kept).
  assert.deepEqual(JSON.parse(JSON.stringify(w.status.savepoints)), {
    lastSavepointNonce: 7,
    last: { location: '/sp/one', timestamp: T0 + 5000, triggerType: 'MANUAL', formatType: 'CANONICAL' },
    history: [{ location: '/sp/one', timestamp: T0 + 5000, triggerType: 'MANUAL', formatType: 'CANONICAL' }],
    lastSavepointTime: '2026-11-23T10:00:05Z',
  });
  w.snapshot = undefined;
  assert.deepEqual(summary(w.pass()), ['requeue 10000']);
});

test('checkpointTriggerNonce: one checkpoint, recorded as lastCheckpoint', () => {
  const w = new World(baseSpec()).stable();
  w.change({ checkpointTriggerNonce: 1 });
  assert.deepEqual(summary(w.pass()).slice(1, 4), ['recordTarget STABLE', 'triggerCheckpoint', 'event CheckpointTriggered']);
  w.snapshot = { status: 'COMPLETED', checkpointId: 42 };
  w.pass();
  assert.deepEqual(w.status.savepoints?.lastCheckpoint, { checkpointId: 42, timestamp: T0, triggerType: 'MANUAL' });
  assert.equal(w.status.savepoints?.lastCheckpointNonce, 1);
  assert.equal(w.status.savepoints?.pendingTrigger, undefined);
});

test('a failed snapshot is an Event and is retried after 10 s, 20 s, 40 s, then given up', () => {
  const w = new World(baseSpec()).stable();
  w.change({ savepointTriggerNonce: 1 });
  w.pass();
  const messages: string[] = [];
  let at = T0;
  for (let attempt = 1; attempt <= 4; attempt++) {
    w.snapshot = { status: 'FAILED', error: 'disk full' };
    const failed = w.pass();
    messages.push(actionsOf(failed, 'recordEvent')[0]!.event.message);
    if (attempt === 4) break;
    const wait = 10_000 * 2 ** (attempt - 1);
    assert.equal(w.status.savepoints?.pendingTrigger?.retryAt, at + wait);
    w.snapshot = undefined;
    w.now = at + wait - 1;
    assert.deepEqual(actionsOf(w.pass(), 'triggerSavepoint'), []);
    w.now = at = at + wait;
    assert.deepEqual(actionsOf(w.pass(), 'triggerSavepoint').map((a) => a.triggerId), [triggerIdFor(UID, 'savepoint', 'MANUAL', 1, attempt)]);
  }
  assert.deepEqual(messages, [
    'Savepoint (MANUAL) failed: disk full; retrying in 10 s',
    'Savepoint (MANUAL) failed: disk full; retrying in 20 s',
    'Savepoint (MANUAL) failed: disk full; retrying in 40 s',
    'Savepoint (MANUAL) failed: disk full; gave up after 4 attempts',
  ]);
  assert.equal(w.status.savepoints?.pendingTrigger, undefined);
  assert.equal(w.status.savepoints?.lastSavepointNonce, 1);
});

test('periodic savepoints: due an interval after the job started or the last savepoint; the stable poll comes no later', () => {
  const w = new World(baseSpec({}, { configuration: { 'kubernetes.operator.periodic.savepoint.interval': '5s' } })).stable();
  w.now = T0 + 4999;
  assert.deepEqual(summary(w.pass()), ['requeue 5000']);
  w.now = T0 + 5000;
  const plan = w.pass();
  assert.deepEqual(summary(plan), ['recordTarget STABLE', 'triggerSavepoint continue', 'event SavepointTriggered', 'requeue 1000']);
  assert.equal(w.status.savepoints?.pendingTrigger?.triggerType, 'PERIODIC');
  w.snapshot = { status: 'COMPLETED', location: '/sp/p1' };
  w.pass();
  w.snapshot = undefined;
  w.now = T0 + 9999;
  assert.deepEqual(actionsOf(w.pass(), 'triggerSavepoint'), []);
  w.now = T0 + 10_000;
  assert.equal(actionsOf(w.pass(), 'triggerSavepoint').length, 1);
});

test('history retention by count and age disposes of the files at once, always keeping the latest', () => {
  const conf = { 'kubernetes.operator.savepoint.history.max.count': '2', 'kubernetes.operator.savepoint.history.max.age': '1h' };
  const w = new World(baseSpec({}, { configuration: conf })).stable();
  const sp = (location: string, timestamp: number) => ({ location, timestamp, triggerType: 'MANUAL' as const, formatType: 'CANONICAL' });
  w.sd = { ...w.sd, status: { ...w.status, savepoints: { last: sp('/sp/3', T0), history: [sp('/sp/1', T0 - 2), sp('/sp/2', T0 - 1), sp('/sp/3', T0)] } } };
  assert.deepEqual(summary(w.pass()), ['disposeSavepoint /sp/1', 'writeStatus STABLE', 'requeue 10000']);
  assert.deepEqual(w.status.savepoints?.history?.map((s) => s.location), ['/sp/2', '/sp/3']);
  // Two hours on, only the latest is left, though it is too old too.
  w.now = T0 + 2 * HOUR;
  w.job = jobIn('FAILED');
  assert.deepEqual(summary(w.pass()).filter((l) => l.startsWith('dispose')), ['disposeSavepoint /sp/2']);
  assert.deepEqual(w.status.savepoints?.history?.map((s) => s.location), ['/sp/3']);
});

test('savepoint-on-deletion: one stop-with-savepoint before the finalizer goes; a late one does not block deletion', () => {
  const conf = { 'kubernetes.operator.job.savepoint-on-deletion': 'true', 'kubernetes.operator.job.savepoint-on-deletion.timeout': '30s' };
  const w = new World(baseSpec({}, { configuration: conf })).stable();
  w.sd = { ...w.sd, metadata: { ...w.sd.metadata, deletionTimestamp: new Date(T0).toISOString() } };
  const first = w.pass();
  assert.deepEqual(summary(first), ['recordTarget DELETING', 'event Deleting', 'triggerSavepoint stop', 'event SavepointTriggered', 'requeue 1000']);
  w.snapshot = { status: 'IN_PROGRESS' };
  assert.deepEqual(summary(w.pass()), ['requeue 1000']);
  w.snapshot = { status: 'COMPLETED', location: '/sp/final' };
  w.job = jobIn('FINISHED');
  assert.deepEqual(summary(w.pass()), ['writeStatus DELETING', 'event SavepointCompleted', 'removeFinalizer']);
  assert.equal(w.status.savepoints?.last?.triggerType, 'DELETION');

  const late = new World(baseSpec({}, { configuration: conf })).stable();
  late.sd = { ...late.sd, metadata: { ...late.sd.metadata, deletionTimestamp: new Date(T0).toISOString() } };
  late.pass();
  late.snapshot = { status: 'IN_PROGRESS' };
  late.now = T0 + 30_001;
  const plan = late.pass();
  assert.deepEqual(summary(plan), ['cancelJob aaaa', 'writeStatus DELETING', 'event SavepointFailed', 'removeFinalizer']);
  assert.equal(actionsOf(plan, 'recordEvent')[0]?.event.message, 'Savepoint before deletion failed: no answer within 30 s; deleting without it');
});
