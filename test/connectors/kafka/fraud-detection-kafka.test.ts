/**
 * The fraud-detection example in Kafka mode: `--feed` writes the generated transactions to
 * the topic, and the detector reads them from Kafka and writes alerts exactly-once; the
 * alerts a read_committed consumer sees are well formed and each appears once. (They are not
 * the generated mode's: the watermark of two partitions runs behind the generator's, so the
 * minute timers clear state later.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher } from '../../../src/runtime/jobmanager/dispatcher.ts';
import fraudDetection from '../../../examples/fraud-detection.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { eventually } from '../../support/eventually.ts';
import { cleanups, kafkaClient, topicReader } from './kafka-helpers.ts';

const TRANSACTIONS = '20000';

test('Kafka mode: the feed job fills the transactions topic; the detector reads it all and writes well-formed alerts, each once', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { transactions: 2, alerts: 1 } });
  defer(() => kafka.stop());
  const dir = await mkdtemp(join(tmpdir(), 'weir-fraud-kafka-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const config = { 'state.checkpoints.dir': dir };
  const broker = kafka.brokers[0]!;

  const feed = await new Dispatcher().submit(fraudDetection, { args: { kafka: broker, feed: 'true', transactions: TRANSACTIONS }, config });
  assert.equal((await feed.done).state, 'FINISHED');
  const alerts = await topicReader(kafka.brokers, 'alerts');
  defer(() => alerts.close());
  const detector = await new Dispatcher().submit(fraudDetection, { args: { kafka: broker }, config });
  defer(async () => {
    detector.cancel();
    await detector.done;
  });
  // Every transaction read and covered by a completed checkpoint: the group's lag is 0.
  const admin = kafkaClient(kafka.brokers, 'test-admin').admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const ends = new Map((await admin.fetchTopicOffsets('transactions')).map((p) => [p.partition, Number(p.offset)]));
  await eventually(async () => {
    const [group] = await admin.fetchOffsets({ groupId: 'fraud-detection', topics: ['transactions'] });
    return group!.partitions.every((p) => Number(p.offset) === ends.get(p.partition)) ? true : undefined;
  }, 60_000, 'the detector to read every transaction');
  const completed = detector.checkpoints.stats.completed;
  await eventually(() => (detector.checkpoints.stats.completed >= completed + 2 ? true : undefined), 30_000, 'two more checkpoints');
  const seen = alerts.values();
  assert.ok(seen.length > 10, `${seen.length} alerts`);
  assert.equal(new Set(seen).size, seen.length, 'each alert once');
  for (const line of seen) assert.match(line, /^ALERT acct-\d+: \$0\.\d\d then \$\d+\.\d\d at \w+ \(2026-01-01T[\d:.]+Z\)$/);
});
