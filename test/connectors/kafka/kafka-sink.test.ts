/**
 * KafkaSink's record shaping against the test broker: topic per record, key and value
 * serializers, a partitioner, headers, event time as the record timestamp, gzip; and at
 * start, a transaction an earlier run left open under this prefix is aborted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, WatermarkStrategy } from '../../../src/api/index.ts';
import { runJob } from '../../../src/runtime/index.ts';
import { Dispatcher } from '../../../src/runtime/jobmanager/dispatcher.ts';
import { KafkaRecordSerializers, KafkaSink, Serializers } from '../../../src/connectors/kafka/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { eventually } from '../../support/eventually.ts';
import { cleanups, kafkaClient } from './kafka-helpers.ts';

interface Order {
  id: number;
  region: 'eu' | 'us';
  at: number;
}

test('topic selector, key and value serializers, partitioner, headers, timestamps and gzip', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { 'orders-eu': 3, 'orders-us': 3 } });
  defer(() => kafka.stop());
  const orders: Order[] = Array.from({ length: 12 }, (_, i) => ({ id: i, region: i % 3 === 0 ? 'us' : 'eu', at: 10_000 + i }));
  const job = defineJob((env) => {
    env.setParallelism(1);
    env
      .fromCollection(orders)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Order>().withTimestampAssigner((o) => o.at))
      .sinkTo(
        KafkaSink.builder<Order>()
          .setBootstrapServers(kafka.brokers)
          .setDeliveryGuarantee('AT_LEAST_ONCE')
          .setProperty('compression.type', 'gzip')
          .setRecordSerializer(
            KafkaRecordSerializers.builder<Order>()
              .setTopicSelector((o) => `orders-${o.region}`)
              .setKeySerializationSchema(Serializers.string, (o) => String(o.id))
              .setValueSerializationSchema(Serializers.json<Order>())
              .setPartitioner((o, _key, _topic, n) => o.id % n)
              .setHeaders((o) => ({ region: new TextEncoder().encode(o.region) }))
              .build(),
          )
          .build(),
        'orders',
      );
  });
  const result = await runJob(job);
  assert.equal(result.state, 'FINISHED', result.error?.message);
  const seen: string[] = [];
  const consumer = kafkaClient(kafka.brokers).consumer({ groupId: 'check', maxWaitTimeInMs: 50 });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topics: ['orders-eu', 'orders-us'], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      seen.push(`${topic}/${partition} ${message.key!.toString()} ${message.value!.toString()} ${message.headers!.region!.toString()} ${message.timestamp}`);
    },
  });
  await eventually(() => (seen.length === orders.length ? true : undefined), 30_000, 'every order');
  assert.deepEqual(seen.sort(), orders.map((o) => `orders-${o.region}/${o.id % 3} ${o.id} ${JSON.stringify(o)} ${o.region} ${o.at}`).sort());
});

test('at start, EXACTLY_ONCE aborts a transaction an earlier run left open under its prefix', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { out: 1 } });
  defer(() => kafka.stop());
  // An earlier run of subtask 0 wrote into a transaction and died before committing it.
  const earlier = kafkaClient(kafka.brokers).producer({ transactionalId: 'lingering-0-0', maxInFlightRequests: 1, idempotent: true });
  await earlier.connect();
  const txn = await earlier.transaction();
  await txn.send({ topic: 'out', messages: [{ value: 'from the dead run' }] });
  const lso = async () => Number((await admin.fetchTopicOffsets('out'))[0]!.offset);
  const admin = kafkaClient(kafka.brokers).admin();
  await admin.connect();
  defer(() => admin.disconnect());
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-linger-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const job = defineJob((env) => {
    env.setParallelism(1);
    env.fromCollection(['new']).sinkTo(
      KafkaSink.builder<string>()
        .setBootstrapServers(kafka.brokers)
        .setDeliveryGuarantee('EXACTLY_ONCE')
        .setTransactionalIdPrefix('lingering')
        .setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build())
        .build(),
      'out',
    );
  });
  const master = await new Dispatcher().submit(job, { config: { 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': dir } });
  const result = await master.done;
  assert.equal(result.state, 'FINISHED', result.error?.message);
  await earlier.disconnect();
  // The open transaction was aborted, so the last stable offset moved past it and the abort marker.
  const values: string[] = [];
  const consumer = kafkaClient(kafka.brokers).consumer({ groupId: 'check', maxWaitTimeInMs: 50 });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'out', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  await eventually(() => (values.length >= 1 ? true : undefined), 30_000, 'the committed record');
  assert.ok((await lso()) >= 3);
  assert.deepEqual(values, ['new']);
});

test('restored at a lower parallelism, EXACTLY_ONCE aborts what the ids of former subtasks left open', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { out: 1 } });
  defer(() => kafka.stop());
  // Former subtask 1 of 2 died with a transaction open (not pre-committed, so not in its log).
  const dead = kafkaClient(kafka.brokers).producer({ transactionalId: 'shrunk-1-2', maxInFlightRequests: 1, idempotent: true });
  await dead.connect();
  defer(() => dead.disconnect());
  await (await dead.transaction()).send({ topic: 'out', messages: [{ value: 'lost with subtask 1' }] });
  const sink = KafkaSink.builder<string>()
    .setBootstrapServers(kafka.brokers)
    .setDeliveryGuarantee('EXACTLY_ONCE')
    .setTransactionalIdPrefix('shrunk')
    .setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build())
    .build();
  // Now at parallelism 1: subtask 0 is dealt both former logs, with nothing pending.
  const writer = sink.createWriter({ subtaskIndex: 0, parallelism: 1, taskName: 'out', jobParameters: {}, addToResult: () => undefined, restoredState: [{ pending: [] }, { pending: [] }], checkpointIntervalMs: 100 });
  defer(() => writer.close?.());
  await writer.write(['new'], [NaN]);
  await writer.snapshotState!(1);
  await writer.notifyCheckpointComplete!(1);
  const values: string[] = [];
  const consumer = kafkaClient(kafka.brokers).consumer({ groupId: 'check', maxWaitTimeInMs: 50 });
  await consumer.connect();
  defer(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'out', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  await eventually(() => (values.length >= 1 ? true : undefined), 20_000, 'the committed record');
  assert.deepEqual(values, ['new']);
});
