/**
 * The long run of test/checkpoint/kill-taskmanagers.test.ts, for `npm run test:faults` (not part
 * of `npm test`): five TaskManager kills over 40,000 records, about a minute on 2 cores. The
 * committed files hold every sequence number of every key exactly once, each with the count an
 * uninterrupted run gives, and every window once with its full count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bySequence, runWithKills } from '../support/chaos-cluster.ts';
import { KEYS } from '../fixtures/jobs/exactly-once-sequences.ts';

test('five TaskManager kills: every sequence number of every key is committed exactly once, with exact state and windows', async () => {
  const records = 40_000;
  const { lines, kills, failures } = await runWithKills({ mode: 'EXACTLY_ONCE', kills: 5, records, rate: 1500 });
  assert.equal(kills, 5);
  // The last kill may land after the final checkpoint completed and the victim's part of the
  // job finished: that ends no attempt.
  assert.ok(failures >= 4, `${failures} failures for 5 kills`);
  const seqs = bySequence(lines);
  assert.equal(seqs.size, records);
  for (const [id, counts] of seqs) {
    // Exactly once, and the keyed count went on from the restored state: count = seq + 1.
    assert.deepEqual(counts, [Number(id.split(',')[1]) + 1], `key,seq ${id}`);
  }
  const windows = lines.filter((l) => l.startsWith('win,'));
  const perKey = records / KEYS;
  // 100 sequence numbers per second of event time; the last window holds the rest.
  const expected = Array.from({ length: KEYS }, (_, key) => Array.from({ length: Math.ceil(perKey / 100) }, (_, w) => `win,${key},${(w + 1) * 1000},${Math.min(100, perKey - w * 100)}`)).flat();
  assert.deepEqual(windows.sort(), expected.sort());
});
