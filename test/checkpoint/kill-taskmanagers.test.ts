/**
 * Exactly-once under failures, as users run it: a JobManager and two TaskManager processes;
 * TaskManagers are killed with SIGKILL at random moments and replaced. The job (per-key
 * sequence numbers through a keyed counter and tumbling windows, into the exactly-once file
 * sink) restarts from its latest checkpoint each time. The committed files hold every
 * sequence number of every key exactly once, each with the count an uninterrupted run
 * gives, and every window once with its full count. In AT_LEAST_ONCE mode nothing is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCommittedExactlyOnce, bySequence, runWithKills } from '../support/chaos-cluster.ts';

// test/faults/kill-taskmanagers.test.ts (`npm run test:faults`) is the long run: five kills over 40,000 records.
test('three TaskManager kills: every sequence number of every key is committed exactly once, with exact state and windows', async () => {
  // About 11 s of input at the rate; each kill waits for a checkpoint of the restarted job, and
  // the input is paced from each restart, so a slow restart does not use it up.
  const records = 16_000;
  const { lines, kills, failures } = await runWithKills({ mode: 'EXACTLY_ONCE', kills: 3, records, rate: 1500 });
  assert.equal(kills, 3);
  // The last kill may land after the final checkpoint completed and the victim's part of the
  // job finished: that ends no attempt.
  assert.ok(failures >= 2, `${failures} failures for 3 kills`);
  assertCommittedExactlyOnce(lines, records);
});

test('AT_LEAST_ONCE: after TaskManager kills nothing is lost', async () => {
  const records = 12_000;
  const { lines } = await runWithKills({ mode: 'AT_LEAST_ONCE', kills: 2, records, rate: 1500 });
  const seqs = bySequence(lines);
  assert.equal(seqs.size, records);
});
