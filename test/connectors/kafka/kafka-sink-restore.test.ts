/**
 * KafkaSink EXACTLY_ONCE across a restore, driven step by step: two sink instances stand for
 * the process that died and the one that restores its checkpoint. Pooled transactional ids
 * are reused across checkpoints, so a restore must commit exactly the transactions its
 * checkpoint recorded, never a later one that happens to run under the same id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SinkWriter, SinkWriterContext } from '../../../src/api/source.ts';
import { KafkaRecordSerializers, KafkaSink, Serializers } from '../../../src/connectors/kafka/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { cleanups, readAll } from './kafka-helpers.ts';

function sinkOn(brokers: string[]): KafkaSink<string> {
  return KafkaSink.builder<string>()
    .setBootstrapServers(brokers)
    .setDeliveryGuarantee('EXACTLY_ONCE')
    .setTransactionalIdPrefix('restore')
    .setProperty('transaction.timeout.ms', 60_000)
    .setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build())
    .build();
}

function context(restoredState: readonly unknown[]): SinkWriterContext {
  return { subtaskIndex: 0, parallelism: 1, taskName: 'out', jobParameters: {}, addToResult: () => undefined, restoredState, checkpointIntervalMs: 100 };
}

const committed = async (brokers: string[]) => (await readAll(brokers, 'out')).map((r) => r.value).sort();

test('a restore commits the transaction its checkpoint recorded, not a later one that reuses its transactional id', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { out: 1 } });
  defer(() => kafka.stop());
  // The first attempt: checkpoint 1 records the transaction holding 'a'.
  const first: SinkWriter<string> = sinkOn(kafka.brokers).createWriter(context([]));
  await first.write(['a'], [NaN]);
  const [checkpoint1] = await first.snapshotState!(1);
  await first.write(['b'], [NaN]);
  // Checkpoint 1 completes: 'a' is committed and its id is free again.
  await first.notifyCheckpointComplete!(1);
  await first.snapshotState!(2);
  // Checkpoint 2 never completes; the next interval's transaction takes the freed id.
  await first.write(['c'], [NaN]);
  // The first attempt dies here without closing (kill -9). The next one restores checkpoint 1.
  const second = sinkOn(kafka.brokers).createWriter(context([checkpoint1]));
  defer(() => second.close?.());
  await second.write(['d'], [NaN]);
  await second.snapshotState!(3);
  await second.notifyCheckpointComplete!(3);
  // 'b' and 'c' were written after checkpoint 1, so they are replayed, never committed.
  assert.deepEqual(await committed(kafka.brokers), ['a', 'd']);
  assert.deepEqual(kafka.errors, []);
});

test('ids are reused once a later checkpoint completed; a restore of the latest checkpoint commits what it recorded, once', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { out: 1 } });
  defer(() => kafka.stop());
  const first: SinkWriter<string> = sinkOn(kafka.brokers).createWriter(context([]));
  let latest: unknown;
  // Seven checkpoints, each completing before the next interval's records: more than the pool's five ids.
  for (let c = 1; c <= 7; c++) {
    await first.write([`v${c}`], [NaN]);
    [latest] = await first.snapshotState!(c);
    if (c < 7) await first.notifyCheckpointComplete!(c);
  }
  // Checkpoint 7 completed but the process died before it heard so, with 'w' written after it.
  await first.write(['w'], [NaN]);
  const second = sinkOn(kafka.brokers).createWriter(context([latest]));
  defer(() => second.close?.());
  await second.write(['x'], [NaN]);
  await second.snapshotState!(8);
  await second.notifyCheckpointComplete!(8);
  assert.deepEqual(await committed(kafka.brokers), ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'x']);
  assert.deepEqual(kafka.errors, []);
});
