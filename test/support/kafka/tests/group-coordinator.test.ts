import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCoordinator } from '../groups/coordinator.ts';
import type { JoinRequest } from '../groups/coordinator.ts';
import type { JoinResult } from '../groups/group.ts';
import { ErrorCode } from '../protocol/errors.ts';

const cfg = { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 10, maxSessionTimeoutMs: 60000 };

function req(memberId: string, rebalanceTimeoutMs = 200, protocols = ['range']): JoinRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 5000,
    rebalanceTimeoutMs,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: protocols.map((name) => ({ name, metadata: Buffer.from(name) })),
    clientId: 'c',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
  };
}

/** Two-step join of JoinGroup v4+: get an id, then join with it. */
async function newMember(gc: GroupCoordinator, rebalanceTimeoutMs = 200): Promise<{ id: string; joined: Promise<JoinResult> }> {
  const first = await gc.join(req('', rebalanceTimeoutMs));
  assert.equal(first.error, ErrorCode.MEMBER_ID_REQUIRED);
  return { id: first.memberId, joined: Promise.resolve(gc.join(req(first.memberId, rebalanceTimeoutMs))) };
}

test('a member that does not rejoin within the rebalance timeout is dropped from the next generation', async () => {
  const gc = new GroupCoordinator(cfg);
  try {
    const a = await newMember(gc);
    const ja = await a.joined;
    assert.deepEqual([ja.error, ja.generationId, ja.leader, ja.members.length], [ErrorCode.NONE, 1, a.id, 1]);
    assert.deepEqual(await gc.sync('g', 1, a.id, new Map([[a.id, Buffer.from('all')]])), { error: ErrorCode.NONE, assignment: Buffer.from('all') });

    const b = await newMember(gc);
    // A learns of the rebalance through its heartbeat, rejoins, and both land in generation 2.
    assert.equal(gc.heartbeat('g', 1, a.id), ErrorCode.REBALANCE_IN_PROGRESS);
    const [ja2, jb2] = await Promise.all([gc.join(req(a.id)), b.joined]);
    assert.deepEqual([ja2.generationId, jb2.generationId, ja2.members.length, jb2.members.length], [2, 2, 2, 0]);
    assert.equal(gc.heartbeat('g', 1, a.id), ErrorCode.ILLEGAL_GENERATION);
    const syncB = gc.sync('g', 2, b.id, new Map());
    const syncA = await gc.sync(
      'g',
      2,
      a.id,
      new Map([
        [a.id, Buffer.from('p0')],
        [b.id, Buffer.from('p1')],
      ]),
    );
    assert.deepEqual([syncA.assignment.toString(), (await syncB).assignment.toString()], ['p0', 'p1']);
    assert.equal(gc.groups.get('g')?.state, 'Stable');

    // A third member joins; B never rejoins and is removed when the rebalance times out.
    const c = await newMember(gc);
    const started = Date.now();
    const [ja3, jc3] = await Promise.all([gc.join(req(a.id)), c.joined]);
    assert.ok(Date.now() - started >= 150);
    assert.deepEqual([ja3.generationId, jc3.generationId], [3, 3]);
    assert.deepEqual(ja3.members.map((m) => m.memberId).sort(), [a.id, c.id].sort());
    assert.equal(gc.heartbeat('g', 3, b.id), ErrorCode.UNKNOWN_MEMBER_ID);
  } finally {
    gc.close();
  }
});

test('join errors: bad session timeout, unknown member, inconsistent protocols', async () => {
  const gc = new GroupCoordinator(cfg);
  try {
    assert.equal((await gc.join({ ...req(''), sessionTimeoutMs: 5 })).error, ErrorCode.INVALID_SESSION_TIMEOUT);
    assert.equal((await gc.join(req('ghost'))).error, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal((await gc.join({ ...req(''), groupId: '' })).error, ErrorCode.INVALID_GROUP_ID);
    const a = await newMember(gc);
    await a.joined;
    assert.equal((await gc.join(req('', 200, ['other']))).error, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.deepEqual(gc.leave('g', [a.id, 'ghost']), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.deepEqual([gc.groups.get('g')?.state, gc.groups.get('g')?.generationId], ['Empty', 2]);
  } finally {
    gc.close();
  }
});
