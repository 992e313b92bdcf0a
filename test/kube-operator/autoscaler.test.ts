/**
 * The autoscaler end to end, on the Kubernetes test cluster with real JobManager and
 * TaskManager processes and the Kafka test broker: a job reads `key:seq` records from a
 * 4-partition topic, counts per key in keyed state and commits `seq,<key>,<seq>,<count>`
 * through the exactly-once file sink; each record costs 5 ms in the sink, so one subtask
 * does about 200 records/s. A burst of input builds lag -> the operator scales the counter up
 * through a savepoint upgrade -> the lag drains -> with no input, after the scale-down delay,
 * it scales down. Every key's counts are 1, 2, 3, ... exactly once across both rescales.
 * The settings are small (seconds) so the test runs in about a minute.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { startKafka } from '../support/kafka/index.ts';
import type { KafkaBroker } from '../support/kafka/index.ts';
import type { StreamDeploymentStatus } from '../../src/kube-operator/crd/stream-deployment-schema.ts';
import { until } from './operator-support.ts';
import { UpgradeRig } from './upgrade-support.ts';

const JOB = resolve('test/fixtures/jobs/kafka-paced-counts.ts');
const KEYS = 4;
const BURST = 3000;

let rig: UpgradeRig;
let broker: KafkaBroker;
let producer: Producer;

before(async () => {
  broker = await startKafka({ autoCreateTopics: false, topics: { in: 4 } });
  producer = new Kafka({ brokers: broker.brokers, clientId: 'burst', logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  // The operator polls a STABLE job, and so samples it, every second.
  rig = await UpgradeRig.start('paced');
});

after(async () => {
  await rig.stop();
  await producer.disconnect();
  await broker.stop();
});

const status = () => rig.status();
const events = (reason: string) => rig.events(reason);
const taskManagers = () => rig.pods('taskmanager').filter((p) => !p.metadata.deletionTimestamp);
/** Every key's committed counts are exact; how many lines there are. */
const counted = () => rig.assertCountsExact('out');
/** The counter's vertex as the autoscaler last recorded it. */
const counter = (s: StreamDeploymentStatus) => s.autoscaler?.vertices?.find((v) => v.name?.startsWith('KeyedProcess'));
const appliedToCounter = (s: StreamDeploymentStatus) => {
  const id = counter(s)?.vertexId;
  return id === undefined ? undefined : s.autoscaler?.appliedParallelism?.[id];
};
/** The rescale the autoscaler applied has its job running every task. */
const rescaled = (s: StreamDeploymentStatus) => s.lifecycleState === 'STABLE' && s.autoscaler?.rescaleStartTime === undefined && s.reconciliation?.upgrade === undefined && s.job?.state === 'RUNNING';

test('burst -> lag -> scale up -> drained -> scale down after the delay; per-key counts exact throughout', async () => {
  rig.create(
    {},
    { entry: JOB, args: ['--brokers', broker.brokers.join(','), '--out', join(rig.dir, 'out'), '--ms-per-record', '5'], parallelism: 1, maxParallelism: 8, upgradeMode: 'savepoint' },
    { autoscaler: { enabled: true, maxParallelism: 4, metricsWindow: '6s', stabilizationInterval: '3s', scaleDownDelay: '6s', catchUpDuration: '10s', restartTime: '5s' } },
  );
  await until('STABLE at parallelism 1 with decisions recorded', () => (status().lifecycleState === 'STABLE' && counter(status()) !== undefined ? true : undefined), 120_000, status);
  assert.equal(taskManagers().length, 1);
  assert.equal(status().conditions?.find((c) => c.type === 'Degraded')?.status, 'False');

  // The burst: each key's records in order on the partition its key hashes to.
  const messages = Array.from({ length: BURST }, (_, i) => ({ key: String(i % KEYS), value: `${i % KEYS}:${Math.floor(i / KEYS)}` }));
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic: 'in', messages: messages.slice(i, i + 500) });

  const up = await until('the counter scaled up', () => ((appliedToCounter(status()) ?? 1) > 1 ? status() : undefined), 60_000, status);
  const scaledTo = appliedToCounter(up)!;
  // The decision saw the source's lag, read from the group the job commits to.
  const source = up.autoscaler?.vertices?.find((v) => v.name === 'Source: in');
  assert.ok((source?.lag ?? 0) > 0, `the source's lag in the decision: ${JSON.stringify(source)}`);
  assert.ok(scaledTo <= 4, `within maxParallelism, got ${scaledTo}`);
  assert.match(String(events('ScalingReport').find((e) => String(e.message).startsWith('Rescaling'))?.message), new RegExp(`KeyedProcess -> Sink: files 1 -> ${scaledTo} `));
  await until('the scaled-up job runs every task', () => (rescaled(status()) && appliedToCounter(status()) === scaledTo ? true : undefined), 120_000, status);
  assert.equal(taskManagers().length, scaledTo, 'TaskManagers for the widest vertex (one slot each)');
  assert.deepEqual(status().autoscaler?.restartTimesMs?.length, 1);

  await until('the burst counted to its end', async () => ((await counted()) === BURST ? true : undefined), 120_000);

  const down = await until('scaled down once the input stopped, after the delay', () => (rescaled(status()) && appliedToCounter(status()) === 1 ? status() : undefined), 120_000, () => ({ autoscaler: status().autoscaler, logs: rig.logs.slice(-6) }));
  assert.equal(taskManagers().length, 1);
  assert.ok(Date.parse(down.autoscaler!.lastRescaleTime!) > Date.parse(up.autoscaler!.lastRescaleTime!));
  // Each rescale is one savepoint upgrade of the SCALE kind; no oscillation on the way.
  const upgrades = events('UpgradeStarted');
  for (const e of upgrades) assert.match(String(e.message), /^Upgrading with upgradeMode savepoint: spec\.configuration\.pipeline\.jobvertex-parallelism-overrides \(SCALE\)/);
  // Equal Events are one with a count, as client-go's recorder keeps them.
  const rescales = upgrades.reduce((n, e) => n + Number(e.count ?? 1), 0);
  assert.ok(rescales >= 2 && rescales <= 3, `two or three rescales, got ${rescales}`);
  assert.equal(status().savepoints?.history?.length, rescales, 'one savepoint per rescale');

  // What the last job restored is exact: more input is counted on from it.
  await producer.send({ topic: 'in', messages: Array.from({ length: KEYS * 10 }, (_, i) => ({ key: String(i % KEYS), value: `${i % KEYS}:${BURST / KEYS + Math.floor(i / KEYS)}` })) });
  await until('the last records counted on', async () => ((await counted()) === BURST + KEYS * 10 ? true : undefined), 60_000);
  assert.deepEqual(rig.logs.filter((l) => /failed \[/.test(l) && !/CONTROLLER_STOPPED|KUBE_CONFLICT/.test(l)), []);
});
