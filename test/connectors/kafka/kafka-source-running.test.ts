/**
 * KafkaSource while a job runs: partitions added to a topic are read without a restart; a
 * partition without data does not stall event-time windows when the strategy has idleness
 * (and does without it); a broker restart mid-run loses and repeats nothing with
 * EXACTLY_ONCE; an unreachable broker shows in the job's exceptions and is retried.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, TumblingEventTimeWindows, WatermarkStrategy } from '../../../src/api/index.ts';
import type { JobDefinition } from '../../../src/api/index.ts';
import { Dispatcher } from '../../../src/runtime/jobmanager/dispatcher.ts';
import type { JobMaster } from '../../../src/runtime/jobmanager/job-master.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaRecordSerializers, KafkaSink, KafkaSource, Serializers } from '../../../src/connectors/kafka/index.ts';
import type { DeliveryGuarantee, KafkaRecord } from '../../../src/connectors/kafka/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { eventually } from '../../support/eventually.ts';
import { cleanups, kafkaClient, produce, topicReader } from './kafka-helpers.ts';
import type { Defer } from './kafka-helpers.ts';

async function stop(master: JobMaster): Promise<void> {
  if (master.status === 'RUNNING' || master.status === 'RESTARTING' || master.status === 'CREATED') master.cancel();
  await master.done;
}

async function submit(job: JobDefinition, defer: Defer, config: Record<string, string> = {}): Promise<JobMaster> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-run-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const master = await new Dispatcher().submit(job, {
    config: { 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': dir, 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '20', 'restart-strategy.fixed-delay.delay': '50ms', ...config },
  });
  defer(() => stop(master));
  return master;
}

const sink = (brokers: string[], guarantee: DeliveryGuarantee = 'NONE') =>
  KafkaSink.builder<string>()
    .setBootstrapServers(brokers)
    .setDeliveryGuarantee(guarantee)
    .setTransactionalIdPrefix('running-test')
    .setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build())
    .build();

async function outputOf(brokers: string[], defer: Defer) {
  const reader = await topicReader(brokers, 'out');
  defer(() => reader.close());
  return reader;
}

test('partition discovery: partitions added while the job runs are read from their start, without a restart', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 1, out: 1 } });
  defer(() => kafka.stop());
  const out = await outputOf(kafka.brokers, defer);
  const job = defineJob((env) => {
    env.setParallelism(2);
    env
      .fromSource(KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopics('in').setProperty('partition.discovery.interval.ms', 50).setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string)).build(), WatermarkStrategy.noWatermarks(), 'in')
      .map((v) => v as string)
      .sinkTo(sink(kafka.brokers), 'out');
  });
  const master = await submit(job, defer);
  await produce(kafka.brokers, 'in', [{ value: 'p0-a', partition: 0 }]);
  await eventually(async () => (out.values().length === 1 ? true : undefined), 30_000, 'the first record');
  const admin = kafkaClient(kafka.brokers, 'test-admin').admin();
  await admin.connect();
  defer(() => admin.disconnect());
  await admin.createPartitions({ topicPartitions: [{ topic: 'in', count: 4 }] });
  await produce(kafka.brokers, 'in', [1, 2, 3].map((p) => ({ value: `p${p}-a`, partition: p })));
  assert.deepEqual(await eventually(async () => {
    const v = out.values();
    return v.length === 4 ? v : undefined;
  }, 30_000, 'the records of the new partitions'), ['p0-a', 'p1-a', 'p2-a', 'p3-a']);
  assert.equal(master.numRestarts, 0);
});

test('an idle partition does not stall event-time windows with withIdleness; without it, it does', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 2, out: 1 } });
  defer(() => kafka.stop());
  const out = await outputOf(kafka.brokers, defer);
  const job = (idleness: boolean) =>
    defineJob((env) => {
      env.setParallelism(1);
      const base = WatermarkStrategy.forMonotonousTimestamps<KafkaRecord<string | null, string | null>>();
      env
        .fromSource(
          KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopics('in').setDeserializer(KafkaRecordDeserializers.keyValue(Deserializers.string, Deserializers.string)).build(),
          idleness ? base.withIdleness(100) : base,
          'in',
        )
        .keyBy(() => 'all')
        .window(TumblingEventTimeWindows.of(1000))
        .process({ process: (_k: string, ctx, elements: KafkaRecord<string | null, string | null>[], out) => out.collect(`[${ctx.window().start},${ctx.window().end}) ${elements.map((e) => e.value).join(' ')}`) })
        .sinkTo(sink(kafka.brokers), 'out');
    });
  // Partition 0 only; a record at 2500 passes the window [0, 1000).
  await produce(kafka.brokers, 'in', [{ value: 'a', partition: 0, timestamp: 100 }, { value: 'b', partition: 0, timestamp: 600 }, { value: 'c', partition: 0, timestamp: 2500 }]);
  const stalled = await submit(job(false), defer);
  await eventually(() => (stalled.checkpoints.stats.completed >= 5 ? true : undefined), 30_000, 'five checkpoints of the job without idleness');
  assert.deepEqual(out.values(), [], 'the empty partition holds the watermark back');
  await stop(stalled);
  await submit(job(true), defer);
  assert.deepEqual(await eventually(async () => {
    const v = out.values();
    return v.length > 0 ? v : undefined;
  }, 30_000, 'the first window'), ['[0,1000) a b']);
});

test('a broker restart mid-run: EXACTLY_ONCE output holds every record once', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 2, out: 1 } });
  defer(() => kafka.stop());
  const out = await outputOf(kafka.brokers, defer);
  const job = defineJob((env) => {
    env.setParallelism(2);
    env
      .fromSource(KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopics('in').setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string)).build(), WatermarkStrategy.noWatermarks(), 'in')
      .map((v) => v as string)
      .sinkTo(sink(kafka.brokers, 'EXACTLY_ONCE'), 'out');
  });
  const master = await submit(job, defer);
  const batch = (from: number) => Array.from({ length: 50 }, (_, i) => ({ value: `r${String(from + i).padStart(3, '0')}` }));
  await produce(kafka.brokers, 'in', batch(0));
  await eventually(async () => (out.values().length === 50 ? true : undefined), 30_000, 'the first batch');
  await kafka.restart({ downtimeMs: 300 });
  await produce(kafka.brokers, 'in', batch(50));
  const all = await eventually(() => {
    const v = out.values();
    return v.length >= 100 ? v : undefined;
  }, 60_000, 'both batches', () => master.exceptions.map((e) => e.message));
  assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => `r${String(i).padStart(3, '0')}`));
});

test('an unreachable broker shows in the job\'s exceptions and is retried, not a silent crash loop', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 1 } });
  const port = kafka.port;
  await kafka.stop();
  const job = defineJob((env) => {
    env
      .fromSource(KafkaSource.builder().setBootstrapServers(`127.0.0.1:${port}`).setTopics('in').setProperty('retries', 1).setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string)).build(), WatermarkStrategy.noWatermarks(), 'in')
      .map((v) => v as string)
      .collect('out');
  });
  const master = await submit(job, defer);
  await eventually(() => (master.numRestarts >= 2 ? true : undefined), 30_000, 'two restarts');
  assert.match(master.exceptions[0]!.message, new RegExp(`Kafka connect on 127\\.0\\.0\\.1:${port} failed`));
});
