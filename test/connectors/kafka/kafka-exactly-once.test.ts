/**
 * Kafka -> keyed state -> Kafka under failures, with the job in this process: every input
 * record is one step of its key's sequence; a keyed counter writes `key,seq,count`. With
 * EXACTLY_ONCE a read_committed consumer sees each step once with the count it had in a run
 * without failures; with AT_LEAST_ONCE nothing is missing. Failures are injected after
 * checkpoints completed, while input keeps arriving in waves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, KeyedProcessFunction, ValueStateDescriptor, WatermarkStrategy } from '../../../src/api/index.ts';
import type { Collector, KeyedProcessContext, RuntimeContext, ValueState } from '../../../src/api/index.ts';
import { Dispatcher } from '../../../src/runtime/jobmanager/dispatcher.ts';
import { findSamples, parsePrometheusText } from '../../../src/runtime/metrics/index.ts';
import type { JobMaster } from '../../../src/runtime/jobmanager/job-master.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaRecordSerializers, KafkaSink, KafkaSource, OffsetsInitializers, Serializers } from '../../../src/connectors/kafka/index.ts';
import type { DeliveryGuarantee } from '../../../src/connectors/kafka/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { eventually } from '../../support/eventually.ts';
import { cleanups, kafkaClient, produce, readAll } from './kafka-helpers.ts';
import type { Defer } from './kafka-helpers.ts';

const KEYS = 5;

/** Cancels a job the test left running, and waits for it to end. */
async function stop(master: JobMaster): Promise<void> {
  if (master.status === 'RUNNING' || master.status === 'RESTARTING' || master.status === 'CREATED') master.cancel();
  await master.done;
}
const fault = { armed: false, fired: 0 };

class Counter extends KeyedProcessFunction<string, string, string> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(v: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    if (fault.armed) {
      fault.armed = false;
      fault.fired++;
      throw new Error('injected failure');
    }
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect(`${ctx.getCurrentKey()},${v.split(':')[1]},${n}`);
  }
}

function pipeline(brokers: string[], guarantee: DeliveryGuarantee, extra: Record<string, string | number> = {}) {
  return defineJob((env) => {
    env.setParallelism(2);
    env
      .fromSource(
        KafkaSource.builder()
          .setBootstrapServers(brokers)
          .setTopics('in')
          .setGroupId('weir-test')
          .setStartingOffsets(OffsetsInitializers.committedOffsets('earliest'))
          .setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string))
          .setProperty('partition.discovery.interval.ms', 100)
          .build(),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .uid('in')
      .keyBy((v) => (v as string).split(':')[0]!)
      .process(new Counter())
      .uid('counter')
      .sinkTo(
        KafkaSink.builder<string>()
          .setBootstrapServers(brokers)
          .setDeliveryGuarantee(guarantee)
          .setTransactionalIdPrefix('weir-test')
          .setProperties({ 'transaction.timeout.ms': 60_000, ...extra })
          .setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setKeySerializationSchema(Serializers.string, (s) => s.split(',')[0]!).setValueSerializationSchema(Serializers.string).build())
          .build(),
        'out',
      )
      .uid('out');
  });
}

/** Sequence steps [from, to) of every key, each keyed so a key stays in one partition. */
const wave = (from: number, to: number) => Array.from({ length: (to - from) * KEYS }, (_, i) => {
  const key = `k${i % KEYS}`;
  return { key, value: `${key}:${from + Math.floor(i / KEYS)}` };
});

async function runWithFailures(guarantee: DeliveryGuarantee, defer: Defer) {
  const kafka = await startKafka({ topics: { in: 3, out: 2 } });
  defer(() => kafka.stop());
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-eo-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  fault.fired = 0;
  fault.armed = false;
  const master = await new Dispatcher().submit(pipeline(kafka.brokers, guarantee), {
    config: {
      'execution.checkpointing.interval': '100ms',
      'state.checkpoints.dir': dir,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '10',
      'restart-strategy.fixed-delay.delay': '10ms',
    },
  });
  defer(() => stop(master));
  const WAVES = 4;
  const PER_WAVE = 40;
  for (let w = 0; w < WAVES; w++) {
    // From the second wave on, the wave's first record fails the job once.
    if (w > 0) fault.armed = true;
    await produce(kafka.brokers, 'in', wave(w * PER_WAVE, (w + 1) * PER_WAVE));
    await eventually(() => (fault.fired === w && master.allTasksRunning() ? true : undefined), 30_000, 'the failure and the restart', () => ({ fired: fault.fired, status: master.status, exceptions: master.exceptions.map((e) => e.message) }));
    const completed = master.checkpoints.stats.completed;
    await eventually(() => (master.checkpoints.stats.completed >= completed + 2 ? true : undefined), 30_000, 'two more checkpoints');
  }
  const total = WAVES * PER_WAVE * KEYS;
  const out = await eventually(async () => {
    const rows = await readAll(kafka.brokers, 'out');
    const steps = new Set(rows.map((r) => r.value.split(',').slice(0, 2).join(',')));
    return steps.size === total ? rows : undefined;
  }, 60_000, 'every step in the output');
  assert.equal(fault.fired, WAVES - 1);
  assert.deepEqual(kafka.errors, []);
  return { out: out.map((r) => r.value), total, kafka };
}

test('EXACTLY_ONCE: a read_committed consumer sees every step of every key once, with its exact count, across failures', async (t) => {
  const defer = cleanups(t);
  const { out, total } = await runWithFailures('EXACTLY_ONCE', defer);
  assert.equal(out.length, total, 'no step twice');
  const byKey = new Map<string, number[]>();
  for (const line of out) {
    const [key, seq, count] = line.split(',');
    assert.equal(Number(count), Number(seq) + 1, `count of ${line}`);
    byKey.set(key!, [...(byKey.get(key!) ?? []), Number(seq)]);
  }
  for (const [key, seqs] of byKey) assert.deepEqual(seqs, Array.from({ length: total / KEYS }, (_, i) => i), `the steps of ${key} in order`);
});

test('AT_LEAST_ONCE: nothing is lost across failures', async (t) => {
  const defer = cleanups(t);
  const { out, total } = await runWithFailures('AT_LEAST_ONCE', defer);
  assert.ok(out.length >= total);
  assert.equal(new Set(out.map((l) => l.split(',').slice(0, 2).join(','))).size, total);
});

test('EXACTLY_ONCE refuses to start when transaction.timeout.ms is not above the checkpoint interval', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 1, out: 1 } });
  defer(() => kafka.stop());
  const master = await new Dispatcher().submit(pipeline(kafka.brokers, 'EXACTLY_ONCE', { 'transaction.timeout.ms': 1000 }), {
    config: { 'execution.checkpointing.interval': '1s', 'state.checkpoints.dir': join(tmpdir(), 'weir-unused') },
  });
  const result = await master.done;
  assert.equal(result.state, 'FAILED');
  assert.match(
    result.error?.message ?? '',
    /transaction\.timeout\.ms \(1000\) must be larger than the checkpoint interval \(1000 ms\)/,
  );
  assert.equal(master.numRestarts, 0, 'a configuration error is not retried');
});

test('a savepoint restore resumes from the checkpointed offsets, not the group\'s; group offsets and lag are readable while the job runs', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 2, out: 1 } });
  defer(() => kafka.stop());
  const dir = await mkdtemp(join(tmpdir(), 'weir-kafka-sp-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const config = { 'execution.checkpointing.interval': '100ms', 'state.checkpoints.dir': join(dir, 'chk') };
  const dispatcher = new Dispatcher();
  const first = await dispatcher.submit(pipeline(kafka.brokers, 'EXACTLY_ONCE'), { config });
  defer(() => stop(first));
  await produce(kafka.brokers, 'in', wave(0, 10));
  const admin = kafkaClient(kafka.brokers, 'test-admin').admin();
  await admin.connect();
  defer(() => admin.disconnect());
  // The group's committed offsets reach the end of the input while the job runs: lag 0.
  const ends = new Map((await admin.fetchTopicOffsets('in')).map((p) => [p.partition, Number(p.offset)]));
  await eventually(async () => {
    const [group] = await admin.fetchOffsets({ groupId: 'weir-test', topics: ['in'] });
    const lag = group!.partitions.reduce((sum, p) => sum + (ends.get(p.partition)! - Number(p.offset)), 0);
    return lag === 0 && group!.partitions.every((p) => Number(p.offset) >= 0) ? true : undefined;
  }, 30_000, 'group offsets at the end of the input');
  // The source's per-partition metrics under Flink's names say the same.
  const samples = parsePrometheusText(await dispatcher.metricsText());
  const metric = (name: string, partition: number) =>
    findSamples(samples, `flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_${name}`, { topic: 'in', partition: String(partition) }).map((x) => x.value);
  for (const [partition, end] of ends) {
    assert.deepEqual(metric('currentOffset', partition), [end - 1], `currentOffset of partition ${partition}`);
    assert.deepEqual(metric('committedOffset', partition), [end], `committedOffset of partition ${partition}`);
    assert.deepEqual(metric('pendingRecords', partition), [0], `pendingRecords of partition ${partition}`);
  }
  const recordsIn = [...ends.keys()].flatMap((p) => metric('numRecordsIn', p)).reduce((a, b) => a + b, 0);
  assert.equal(recordsIn, 10 * KEYS);
  const savepoint = await first.savepoint(join(dir, 'sp'), 'cancel');
  await first.done;
  // The group is moved back to the start; the savepoint's offsets must win.
  await admin.resetOffsets({ groupId: 'weir-test', topic: 'in', earliest: true });
  await produce(kafka.brokers, 'in', wave(10, 12));
  const second = await new Dispatcher().submit(pipeline(kafka.brokers, 'EXACTLY_ONCE'), { config: { ...config, 'execution.savepoint.path': savepoint } });
  defer(() => stop(second));
  const out = await eventually(async () => {
    const rows = await readAll(kafka.brokers, 'out');
    return rows.length >= 12 * KEYS ? rows.map((r) => r.value) : undefined;
  }, 30_000, 'the output of both runs');
  assert.equal(out.length, 12 * KEYS, 'the second run read only what came after the savepoint');
  for (const line of out) {
    const [, seq, count] = line.split(',');
    assert.equal(Number(count), Number(seq) + 1, line);
  }
});
