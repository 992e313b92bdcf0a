/**
 * The exactly-once kill test with S3 for everything durable: checkpoints go to s3rver and the
 * exactly-once file sink writes its objects there. TaskManagers are killed with SIGKILL and
 * replaced; each restart restores from the latest checkpoint on S3, and the committed objects
 * hold every sequence number of every key exactly once, with exact keyed state.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bySequence, runWithKills } from '../support/chaos-cluster.ts';
import { S3TestServer } from '../support/s3/s3-test-server.ts';

let s3: S3TestServer;
before(async () => (s3 = await S3TestServer.start(['weir'])));
after(() => s3.close());

test('TaskManager kills with checkpoints and the exactly-once sink on S3: every sequence number committed once, with exact state', async () => {
  // About 8 s of input at the rate, paced from each restart: enough for two kills, as in incremental-kill.test.ts.
  const records = 12_000;
  const { lines, kills, failures } = await runWithKills({ mode: 'EXACTLY_ONCE', kills: 2, records, rate: 1500, s3 });
  assert.equal(kills, 2);
  // The last kill may land after the final checkpoint completed and the victim's part of the
  // job finished: that ends no attempt.
  assert.ok(failures >= 1, `${failures} failures for 2 kills`);
  const seqs = bySequence(lines);
  assert.equal(seqs.size, records);
  for (const [id, counts] of seqs) assert.deepEqual(counts, [Number(id.split(',')[1]) + 1], `key,seq ${id}`);
});
