/**
 * KafkaSink EXACTLY_ONCE fences its transactional ids at start: a dead attempt's open
 * transaction holds back read_committed readers (the last stable offset stays before it)
 * until the new attempt aborts it. Flink aborts lingering transactions at start; waiting
 * for the first record would leave readers stuck until transaction.timeout.ms when no input
 * comes after a restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SinkWriterContext } from '../../../src/api/source.ts';
import { KafkaClient } from '../../../src/connectors/kafka/client/kafka-client.ts';
import { KafkaRecordSerializers, KafkaSink, Serializers } from '../../../src/connectors/kafka/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { eventually } from '../../support/eventually.ts';
import { cleanups, readAll } from './kafka-helpers.ts';

function sinkOn(brokers: string[]): KafkaSink<string> {
  return KafkaSink.builder<string>()
    .setBootstrapServers(brokers)
    .setDeliveryGuarantee('EXACTLY_ONCE')
    .setTransactionalIdPrefix('fence')
    // Far beyond the test's waits: only the new attempt's fencing can end the open transaction.
    .setProperty('transaction.timeout.ms', 600_000)
    .setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build())
    .build();
}

function context(subtaskIndex: number, parallelism: number, restoredState: readonly unknown[]): SinkWriterContext {
  return { subtaskIndex, parallelism, taskName: 'out', jobParameters: {}, addToResult: () => undefined, restoredState, checkpointIntervalMs: 100 };
}

/** The offset up to which a read_committed reader may read (the last stable offset). */
async function lastStableOffset(reader: KafkaClient): Promise<number> {
  const offsets = await reader.offsetsAt([{ topic: 'out', partition: 0 }], 'latest');
  return offsets.get('out#0')!;
}

test('a new attempt aborts the dead attempt\'s open transaction at start, with no input after the restore', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { out: 1 } });
  defer(() => kafka.stop());
  const reader = new KafkaClient(kafka.brokers, {}, true);
  defer(() => reader.close());
  // The first attempt: checkpoint 1 records 'a' (committed: offset 0, marker 1); 'b' (offset 2) stays open.
  const first = sinkOn(kafka.brokers).createWriter(context(0, 1, []));
  await first.write(['a'], [NaN]);
  const [checkpoint1] = await first.snapshotState!(1);
  await first.notifyCheckpointComplete!(1);
  await first.write(['b'], [NaN]);
  assert.equal(await lastStableOffset(reader), 2);
  // It dies without closing (kill -9); the next attempt restores checkpoint 1 and gets no input.
  const second = sinkOn(kafka.brokers).createWriter(context(0, 1, [checkpoint1]));
  defer(() => second.close?.());
  // 'b' aborted (its marker at 3): the last stable offset reaches the log end.
  await eventually(async () => ((await lastStableOffset(reader)) === 4 ? true : undefined), 20_000, 'the open transaction aborted');
  assert.deepEqual((await readAll(kafka.brokers, 'out')).map((r) => r.value), ['a']);
  assert.deepEqual(kafka.errors, []);
});

test('restored at a lower parallelism, a subtask aborts at start what the former subtasks it took over left open', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { out: 1 } });
  defer(() => kafka.stop());
  const reader = new KafkaClient(kafka.brokers, {}, true);
  defer(() => reader.close());
  // Two subtasks of the first attempt: each commits one record at checkpoint 1, then leaves one open.
  const firsts = [0, 1].map((i) => sinkOn(kafka.brokers).createWriter(context(i, 2, [])));
  const logs: unknown[] = [];
  for (const [i, w] of firsts.entries()) {
    await w.write([`committed-${i}`], [NaN]);
    logs.push(...(await w.snapshotState!(1)));
  }
  for (const w of firsts) await w.notifyCheckpointComplete!(1);
  for (const [i, w] of firsts.entries()) await w.write([`open-${i}`], [NaN]);
  // committed-0, marker, committed-1, marker, then open-0 at offset 4.
  assert.equal(await lastStableOffset(reader), 4);
  // Restored at parallelism 1: subtask 0 is dealt both logs and fences both pools.
  const second = sinkOn(kafka.brokers).createWriter(context(0, 1, logs));
  defer(() => second.close?.());
  // open-0 (4), open-1 (5) and their two abort markers.
  await eventually(async () => ((await lastStableOffset(reader)) === 8 ? true : undefined), 20_000, 'both open transactions aborted');
  assert.deepEqual((await readAll(kafka.brokers, 'out')).map((r) => r.value).sort(), ['committed-0', 'committed-1']);
  assert.deepEqual(kafka.errors, []);
});
