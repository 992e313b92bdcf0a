/**
 * KafkaSource against the test broker: bounded mode reads each partition up to the offsets
 * that were latest at start, at any parallelism; topic patterns; deserializers and record
 * metadata; dead-letter output; a missing topic is a clear error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkStrategy, defineJob } from '../../../src/api/index.ts';
import { runJob } from '../../../src/runtime/index.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaSource, OffsetsInitializers } from '../../../src/connectors/kafka/index.ts';
import type { KafkaDeadLetter, KafkaRecord } from '../../../src/connectors/kafka/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { cleanups, produce } from './kafka-helpers.ts';

test('bounded: every record of every partition exactly once, with key, value and metadata, at parallelism 1 and 3', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { orders: 4 } });
  defer(() => kafka.stop());
  const records = Array.from({ length: 40 }, (_, i) => ({ key: `k${i % 5}`, value: JSON.stringify({ n: i }), partition: i % 4, timestamp: 1_000 + i }));
  await produce(kafka.brokers, 'orders', records);
  for (const p of [1, 3]) {
    const job = defineJob((env) => {
      env.setParallelism(p);
      env
        .fromSource(
          KafkaSource.builder()
            .setBootstrapServers(kafka.brokers)
            .setTopics('orders')
            .setStartingOffsets(OffsetsInitializers.earliest())
            .setBounded()
            .setDeserializer(KafkaRecordDeserializers.keyValue(Deserializers.string, Deserializers.json<{ n: number }>()))
            .build(),
          WatermarkStrategy.noWatermarks(),
          'kafka',
        )
        .map((r: KafkaRecord<string | null, { n: number } | null>) => `${r.key}:${r.value!.n}:${r.partition}:${r.offset}:${r.timestamp}`)
        .collect('out');
    });
    const result = await runJob(job);
    assert.equal(result.state, 'FINISHED', result.error?.message);
    const expected = records.map((r, i) => `${r.key}:${i}:${r.partition}:${Math.floor(i / 4)}:${r.timestamp}`).sort();
    assert.deepEqual((result.collected.get('out') as string[]).sort(), expected, `parallelism ${p}`);
  }
  assert.deepEqual(kafka.errors, []);
});

test('a topic pattern reads every matching topic and no other', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { 'metrics-a': 2, 'metrics-b': 1, other: 1 } });
  defer(() => kafka.stop());
  await produce(kafka.brokers, 'metrics-a', [{ value: 'a1', partition: 0 }, { value: 'a2', partition: 1 }]);
  await produce(kafka.brokers, 'metrics-b', [{ value: 'b1' }]);
  await produce(kafka.brokers, 'other', [{ value: 'x' }]);
  const job = defineJob((env) => {
    env.setParallelism(2);
    env
      .fromSource(KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopicPattern(/^metrics-/).setBounded().setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string)).build(), WatermarkStrategy.noWatermarks(), 'kafka')
      .collect('out');
  });
  const result = await runJob(job);
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual((result.collected.get('out') as string[]).sort(), ['a1', 'a2', 'b1']);
});

test('bounded mode stops at the offsets latest at start; starting offsets by timestamp and specific offsets', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { t: 2 } });
  defer(() => kafka.stop());
  await produce(kafka.brokers, 't', Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i % 2, timestamp: 100 * i })));
  const run = async (starting: ReturnType<typeof OffsetsInitializers.earliest>) => {
    const job = defineJob((env) => {
      env.setParallelism(1);
      env.fromSource(KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopics('t').setStartingOffsets(starting).setBounded().setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string)).build(), WatermarkStrategy.noWatermarks(), 'kafka').collect('out');
    });
    const result = await runJob(job);
    assert.equal(result.state, 'FINISHED', result.error?.message);
    return (result.collected.get('out') as string[] | undefined ?? []).sort();
  };
  // v6 (t=600, partition 0) and later: v6, v7, v8, v9
  assert.deepEqual(await run(OffsetsInitializers.timestamp(550)), ['v6', 'v7', 'v8', 'v9']);
  // partition 0 from offset 3 (v6, v8), partition 1 from the fallback: latest (nothing)
  assert.deepEqual(await run(OffsetsInitializers.offsets([['t', 0, 3]], 'latest')), ['v6', 'v8']);
  assert.deepEqual(await run(OffsetsInitializers.latest()), []);
});

test('a record that fails to deserialize fails the job, or goes to the dead-letter output with its bytes and position', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { events: 1 } });
  defer(() => kafka.stop());
  await produce(kafka.brokers, 'events', [{ value: '{"ok":1}' }, { value: 'not json' }, { value: '{"ok":2}' }]);
  const build = (deadLetter: boolean) =>
    defineJob((env) => {
      const b = KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopics('events').setBounded().setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.json<{ ok: number }>()));
      if (deadLetter) b.setProperty('deserialization.failure', 'dead-letter');
      const s = env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), 'kafka');
      s.map((v) => (v as { ok: number }).ok).collect('out');
      s.getSideOutput(KafkaSource.DEAD_LETTER).map((d: KafkaDeadLetter) => `${d.topic}/${d.partition}/${d.offset}/${Buffer.from(d.value!).toString()}/${d.error.length > 0}`).collect('dead');
    });
  const failed = await runJob(build(false));
  assert.equal(failed.state, 'FAILED');
  assert.match(failed.error?.message ?? '', /cannot deserialize the record at events-0 offset 1/);
  const ok = await runJob(build(true));
  assert.equal(ok.state, 'FINISHED', ok.error?.message);
  assert.deepEqual(ok.collected.get('out'), [1, 2]);
  assert.deepEqual(ok.collected.get('dead'), ['events/0/1/not json/true']);
});

test('a topic that does not exist is a clear error unless auto-creation is on', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: {} });
  defer(() => kafka.stop());
  const build = (autoCreate: boolean) =>
    defineJob((env) => {
      const b = KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopics('nowhere').setBounded().setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string));
      if (autoCreate) b.setProperty('allow.auto.create.topics', true);
      env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), 'kafka').collect('out');
    });
  const failed = await runJob(build(false));
  assert.equal(failed.state, 'FAILED');
  assert.match(failed.error?.message ?? '', /Kafka topic nowhere does not exist on 127\.0\.0\.1:\d+; create it or set allow\.auto\.create\.topics=true/);
  const created = await runJob(build(true));
  assert.equal(created.state, 'FINISHED', created.error?.message);
  assert.ok(kafka.state.topics.get('nowhere'));
});
