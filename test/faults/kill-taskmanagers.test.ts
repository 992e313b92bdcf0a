/**
 * The long run of test/checkpoint/kill-taskmanagers.test.ts, for `npm run test:faults` (not part
 * of `npm test`): five TaskManager kills over 40,000 records, about a minute on 2 cores. The
 * committed files hold every sequence number of every key exactly once, each with the count an
 * uninterrupted run gives, and every window once with its full count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCommittedExactlyOnce, runWithKills } from '../support/chaos-cluster.ts';

test('five TaskManager kills: every sequence number of every key is committed exactly once, with exact state and windows', async () => {
  const records = 40_000;
  const { lines, kills, failures } = await runWithKills({ mode: 'EXACTLY_ONCE', kills: 5, records, rate: 1500 });
  assert.equal(kills, 5);
  // The last kill may land after the final checkpoint completed and the victim's part of the
  // job finished: that ends no attempt.
  assert.ok(failures >= 4, `${failures} failures for 5 kills`);
  assertCommittedExactlyOnce(lines, records);
});
