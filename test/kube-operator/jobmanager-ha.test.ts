/**
 * JobManager high availability end to end: the operator (leader-elected on a ConfigMap, as
 * with --leader-election-lock configmaps) deploys StreamDeployments with
 * `high-availability.type: kubernetes`; the JobManager records checkpoint pointers in
 * `<name>-<jobId>-config-map`; its process is killed, and the restarted JobManager (or the
 * standby) takes the lock once the old lease expired and resumes the job from the newest
 * pointer with no operator action. The jobs run on (their input outlasts the test), and what
 * the exactly-once file sink committed shows the counters going on exactly: per key, every
 * sequence number up to some point, each once, with the count it should have. A bounded job's
 * result is recorded, so a restarted JobManager does not run it again, while a stateless suspend
 * and resume does. Deleting the StreamDeployments removes their HA ConfigMaps.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeCluster } from '../support/kube/index.ts';
import { WeirOperator } from '../../src/kube-operator/weir-operator.ts';
import { LEADER_ANNOTATION } from '../../src/kube/configmap-lock.ts';
import { fixedJobId } from '../../src/runtime/jobmanager/ha/ha-config.ts';
import { readPointers } from '../../src/runtime/jobmanager/ha/checkpoint-pointers.ts';
import { bySequence } from '../support/chaos-cluster.ts';
import { SD, sharedHostDir, startOperatorTestCluster, statusOf, streamDeployment, TEST_HA, until } from './operator-support.ts';

const JOB = resolve('test/fixtures/jobs/exactly-once-sequences.ts');
/** At 1000 a second, more than any test here runs: the jobs never reach the end of their input. */
const RECORDS = 1_000_000;
/**
 * Waits are on conditions; their deadlines (and each test's own timeout, above the runner's
 * 2 minutes) allow for a loaded 2-core machine, where starting a JobManager, TaskManagers and
 * a job takes a minute or more, and a leader may lose its lease under load and be replaced.
 */
const SLOW_MS = 240_000;
const TEST_TIMEOUT_MS = 600_000;
let cluster: KubeCluster;
let operator: WeirOperator;
let dir: string;
const logs: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weir-jm-ha-'));
  cluster = await startOperatorTestCluster();
  operator = new WeirOperator({
    kc: cluster.server.kubeconfig,
    identity: 'operator-under-test',
    namespaces: [],
    httpPort: 0,
    httpHost: '127.0.0.1',
    timing: { progressIntervalMs: 300, stableIntervalMs: 1000 },
    leaderElection: { enabled: true, lock: 'configmaps', leaseName: 'weir-operator', leaseNamespace: 'default', leaseDurationMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 500 },
    log: (line) => logs.push(line),
  });
  await operator.start();
});

after(async () => {
  await operator.stop();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = () => cluster.server.api;
const configMap = (name: string) => api().tryGet('v1', 'ConfigMap', 'default', name);

/**
 * The checks below run every few milliseconds in this process, which also serves the API
 * server and the kubelet: reading every committed file each time starves them on a loaded
 * machine (leases then time out and leaders are lost). A committed part file never changes
 * (the sink renames it into place), so each is read once, and a verdict is kept until
 * another file appears.
 */
const partLines = new Map<string, string[]>();
const verdicts = new Map<string, { files: string; committed: number }>();

const partFiles = async (out: string) => (await readdir(out).catch((): string[] => [])).filter((n) => n.startsWith('part-')).sort();

async function committedLines(out: string, names: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const name of names) {
    const path = join(out, name);
    let own = partLines.get(path);
    if (!own) {
      own = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
      partLines.set(path, own);
    }
    lines.push(...own);
  }
  return lines;
}

/**
 * What the sink committed, checked for exactly-once: committed output is everything before
 * some completed checkpoint, so per key it is the sequence numbers 0..n, each once, with
 * count seq + 1 (the count went on from restored state). Returns how many were committed.
 */
async function committedExactly(out: string): Promise<number> {
  const names = await partFiles(out);
  const files = names.join('\n');
  const known = verdicts.get(out);
  if (known?.files === files) return known.committed;
  const seqs = bySequence(await committedLines(out, names));
  const perKey = new Map<string, number[]>();
  for (const [id, counts] of seqs) {
    const [key, seq] = id.split(',') as [string, string];
    assert.deepEqual(counts, [Number(seq) + 1], `key,seq ${id}: committed once, with the count going on from the restored state`);
    perKey.set(key, [...(perKey.get(key) ?? []), Number(seq)]);
  }
  for (const [key, list] of perKey) {
    const sorted = list.sort((a, b) => a - b);
    assert.deepEqual(sorted, sorted.map((_, i) => i), `key ${key}: no sequence number missing`);
  }
  verdicts.set(out, { files, committed: seqs.size });
  return seqs.size;
}

/**
 * Waits until more than `before` records are committed, checking exactly-once on each look: a
 * violation ends the wait at once (retrying would only hide it until the deadline).
 */
async function committedMoreThan(out: string, before: number, describe: () => unknown): Promise<number> {
  const seen = await until('output committed after the takeover', async () => {
    try {
      const n = await committedExactly(out);
      return n > before ? { n } : undefined;
    } catch (err) {
      if (err instanceof assert.AssertionError) return { violation: err };
      throw err;
    }
  }, SLOW_MS, describe);
  if ('violation' in seen) throw seen.violation;
  return seen.n;
}

const haConfiguration = (checkpoints: string) => ({
  'taskmanager.numberOfTaskSlots': '2',
  'execution.checkpointing.interval': '300ms',
  'state.checkpoints.dir': checkpoints,
  ...TEST_HA,
});

const holderOf = (clusterId: string) => (JSON.parse(configMap(`${clusterId}-cluster-config-map`)!.metadata.annotations![LEADER_ANNOTATION]!) as { holderIdentity: string; leaderTransitions: number });
/** What a takeover that does not happen shows: the lock, the pointers, the job's status and the runtime pods' last output. */
const takeoverState = (name: string, jobCm: string) => [
  configMap(`${name}-cluster-config-map`)?.metadata.annotations?.[LEADER_ANNOTATION],
  newestPointer(jobCm),
  statusOf(cluster, name).job,
  ...api()
    .list('v1', 'Pod', 'default')
    .filter((p) => p.metadata.labels?.['app.kubernetes.io/instance'] === name)
    .map((p) => `${p.metadata.name}: ${(cluster.kubelet.logs('default', p.metadata.name!) ?? '').slice(-1500)}`),
];

const newestPointer = (cm: string) => {
  const found = configMap(cm);
  return found ? readPointers((found.data ?? {}) as Record<string, string>).pointers[0]?.checkpointId : undefined;
};

test('a killed JobManager comes back and resumes from the HA pointer without the operator; counters continue exactly', { timeout: TEST_TIMEOUT_MS }, async () => {
  const out = join(dir, 'out');
  const jobId = fixedJobId('counts');
  api().create(
    streamDeployment('counts', {
      ...sharedHostDir(dir),
      configuration: { ...haConfiguration(join(dir, 'checkpoints')), 'high-availability.storageDir': join(dir, 'ha') },
      job: { entry: JOB, parallelism: 2, args: ['--records', String(RECORDS), '--rate', '1000', '--out', out] },
    }),
  );
  // The operator's own lock is a ConfigMap too.
  assert.match((await until('the operator lock', () => configMap('weir-operator')))!.metadata.annotations![LEADER_ANNOTATION]!, /"holderIdentity":"operator-under-test"/);
  const jobCm = `counts-${jobId}-config-map`;
  const before = await until('a second checkpoint pointer', () => ((newestPointer(jobCm) ?? 0) >= 2 ? newestPointer(jobCm) : undefined), SLOW_MS, () => takeoverState('counts', jobCm));
  assert.equal(configMap(jobCm)!.metadata.ownerReferences, undefined, 'HA ConfigMaps outlive the JobManager');
  const leader = holderOf('counts');
  assert.match(String((configMap('counts-cluster-config-map')!.data as Record<string, string>).address), /^http:\/\/127\.[\d.]+:8081$/);
  const committedBefore = await committedExactly(out);

  const jmPod = api().list('v1', 'Pod', 'default').find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager' && p.metadata.labels?.['app.kubernetes.io/instance'] === 'counts')!;
  assert.ok(cluster.kubelet.killPod('default', jmPod.metadata.name!) > 0);

  // The restarted JobManager takes the lock once the dead one's lease expired, and records checkpoints past the old ones.
  await until('a new leader recording newer checkpoints', () => (holderOf('counts').holderIdentity !== leader.holderIdentity && (newestPointer(jobCm) ?? 0) > before + 2 ? true : undefined), SLOW_MS, () => takeoverState('counts', jobCm));
  // At least one transition; under load a new leader may itself lose the lease and be followed by another.
  assert.ok(holderOf('counts').leaderTransitions > leader.leaderTransitions);
  assert.equal(statusOf(cluster, 'counts').job?.id, jobId, 'the same job, not a new one');
  const committedAfter = await committedMoreThan(out, committedBefore, () => takeoverState('counts', jobCm));
  assert.ok(committedAfter < RECORDS, 'the job still runs: its input outlasts the test');
});

test('jobManager.replicas 2: one leader runs the job, the standby is alive but not ready, and takes over exactly', { timeout: TEST_TIMEOUT_MS }, async () => {
  const out = join(dir, 'out-standby');
  const jobCm = `standby-${fixedJobId('standby')}-config-map`;
  api().create(
    streamDeployment('standby', {
      configuration: haConfiguration(join(dir, 'checkpoints-standby')),
      ...sharedHostDir(dir),
      jobManager: { replicas: 2, ...sharedHostDir(dir).jobManager },
      job: { entry: JOB, parallelism: 2, args: ['--records', String(RECORDS), '--rate', '1000', '--out', out] },
    }),
  );
  const before = await until('a checkpoint pointer', () => newestPointer(jobCm), SLOW_MS, () => takeoverState('standby', jobCm));
  const jmPods = () => api().list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'jobmanager' && p.metadata.labels?.['app.kubernetes.io/instance'] === 'standby');
  assert.equal(jmPods().length, 2);
  // The standby is alive, not ready, and names the leader once it has read the lock (its health
  // endpoint answers before that). Read together with the lock, so a leader replaced under load
  // in the meantime is not mistaken for the standby.
  const { old, standbyUrl } = await until('the standby answering alive, not ready, and naming the leader', async () => {
    const holder = holderOf('standby').holderIdentity;
    const standbyPod = jmPods().find((p) => p.metadata.name !== holder.replace(/_[0-9a-f]{8}$/, ''));
    const ip = standbyPod && cluster.kubelet.podIP('default', standbyPod.metadata.name!);
    if (!ip) return undefined;
    const url = `http://${ip}:8081`;
    if ((await fetch(`${url}/healthz`)).status !== 200 || (await fetch(`${url}/readyz`)).status !== 503) return undefined;
    const refused = await fetch(`${url}/jobs/overview`);
    const message = ((await refused.json()) as { errors?: string[] }).errors?.[0] ?? '';
    return refused.status === 503 && message === `this JobManager is a standby; the leader is ${holder}` && holderOf('standby').holderIdentity === holder ? { old: holder, standbyUrl: url } : undefined;
  }, SLOW_MS);
  assert.match(standbyUrl, /^http:\/\/127\./);
  const committedBefore = await committedExactly(out);

  assert.ok(cluster.kubelet.killPod('default', old.replace(/_[0-9a-f]{8}$/, '')) > 0);
  await until('a new leader recording newer checkpoints', () => (holderOf('standby').holderIdentity !== old && (newestPointer(jobCm) ?? 0) > before + 2 ? true : undefined), SLOW_MS, () => takeoverState('standby', jobCm));
  await committedMoreThan(out, committedBefore, () => takeoverState('standby', jobCm));
});

test('a bounded job that finished: its result is recorded, and a restarted JobManager reports FINISHED without running it again', { timeout: TEST_TIMEOUT_MS }, async () => {
  const out = join(dir, 'out-bounded');
  const storageDir = join(dir, 'ha-bounded');
  const jobId = fixedJobId('bounded');
  const records = 2000;
  api().create(
    streamDeployment('bounded', {
      ...sharedHostDir(dir),
      configuration: { ...haConfiguration(join(dir, 'checkpoints-bounded')), 'high-availability.storageDir': `file://${storageDir}` },
      job: { entry: JOB, parallelism: 2, args: ['--records', String(records), '--rate', '1000', '--out', out] },
    }),
  );
  await until('the job FINISHED', () => (statusOf(cluster, 'bounded').job?.state === 'FINISHED' ? true : undefined), SLOW_MS, () => takeoverState('bounded', `bounded-${jobId}-config-map`));
  // Flink's layout, <storageDir>/job-result-store/<cluster-id>/, and as with the Flink operator one store per
  // deployment below it (named by the cluster hash), so an upgrade runs the job again: <jobId>.json, clean once
  // the HA ConfigMap is gone.
  const clusterResults = join(storageDir, 'job-result-store', 'bounded');
  const deployments = await until('the job result store of the deployment', async () => {
    const found = await readdir(clusterResults).catch((): string[] => []);
    return found.length > 0 ? found : undefined;
  }, SLOW_MS);
  assert.equal(deployments.length, 1);
  assert.match(deployments[0]!, /^[0-9a-f]{16}$/);
  const resultDir = join(clusterResults, deployments[0]!);
  await until('the clean job result', async () => ((await readdir(resultDir).catch((): string[] => [])).includes(`${jobId}.json`) ? true : undefined), SLOW_MS);
  assert.deepEqual(await readdir(resultDir), [`${jobId}.json`], 'no dirty entry left');
  const entry = JSON.parse(await readFile(join(resultDir, `${jobId}.json`), 'utf8')) as { result: Record<string, unknown>; version: number };
  assert.equal(entry.version, 1);
  assert.deepEqual([entry.result.id, entry.result['application-status'], entry.result['job-status'], entry.result.name], [jobId, 'SUCCEEDED', 'FINISHED', 'exactly-once-sequences']);
  assert.equal(configMap(`bounded-${jobId}-config-map`), undefined, 'the HA ConfigMap went after the result was recorded');
  assert.equal(await committedExactly(out), records);
  const partsBefore = await partFiles(out);

  const old = holderOf('bounded').holderIdentity;
  const jmPod = old.replace(/_[0-9a-f]{8}$/, '');
  assert.ok(cluster.kubelet.killPod('default', jmPod) > 0);
  // The restarted JobManager leads, finds the result and reports it; a job that ran again would be RUNNING first.
  const url = () => `http://${cluster.kubelet.podIP('default', jmPod)}:8081`;
  const job = await until('the new leader reporting the job', async () => {
    if (holderOf('bounded').holderIdentity === old) return undefined;
    const r = await fetch(`${url()}/jobs/${jobId}`);
    return r.status === 200 ? ((await r.json()) as { state: string; name: string }) : undefined;
  }, SLOW_MS, () => takeoverState('bounded', `bounded-${jobId}-config-map`));
  assert.deepEqual([job.state, job.name], ['FINISHED', 'exactly-once-sequences']);
  assert.match(cluster.kubelet.logs('default', jmPod) ?? '', /ended FINISHED under an earlier JobManager \(job result store at [^)]+\): reporting it, not running it/);
  assert.equal((await fetch(`${url()}/jobs/overview`).then((r) => r.json()) as { jobs: { jid: string; state: string }[] }).jobs.map((j) => [j.jid, j.state]).join(), [jobId, 'FINISHED'].join());
  // Nothing was written again: the same committed files, every sequence number once.
  assert.deepEqual(await partFiles(out), partsBefore);
  assert.equal(await committedExactly(out), records);
});

test('the finished bounded job suspended and resumed (stateless) runs again: a new run with a new start time, its output committed a second time, its result in a store of its own', { timeout: TEST_TIMEOUT_MS }, async () => {
  // The 'bounded' deployment of the test above, whose job FINISHED and whose result is recorded.
  const out = join(dir, 'out-bounded');
  const clusterResults = join(dir, 'ha-bounded', 'job-result-store', 'bounded');
  const jobId = fixedJobId('bounded');
  const records = 2000;
  const first = statusOf(cluster, 'bounded').job;
  assert.equal(first?.state, 'FINISHED');
  const patch = (state: string) => api().patch(SD.apiVersion, SD.kind, 'default', 'bounded', 'application/merge-patch+json', { spec: { job: { state } } }).metadata.generation;
  const runtimePods = () => api().list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.['app.kubernetes.io/instance'] === 'bounded');
  patch('suspended');
  // Suspended once the state is dropped (DROPPING_STATE, itself written with lifecycleState SUSPENDED, is over) and the pods are gone.
  await until('SUSPENDED without pods', () => {
    const s = statusOf(cluster, 'bounded');
    return s.lifecycleState === 'SUSPENDED' && s.reconciliation?.upgrade === undefined && s.job?.state === 'SUSPENDED' && runtimePods().length === 0 ? true : undefined;
  }, SLOW_MS, () => statusOf(cluster, 'bounded'));
  const resumed = patch('running');
  // A JobManager that found the first run's result would report that FINISHED, with the first run's start time.
  const rerun = await until('the resumed job FINISHED and STABLE', () => {
    const s = statusOf(cluster, 'bounded');
    return s.observedGeneration === resumed && s.lifecycleState === 'STABLE' && s.job?.state === 'FINISHED' ? s.job : undefined;
  }, SLOW_MS, () => takeoverState('bounded', `bounded-${jobId}-config-map`));
  assert.equal(rerun.id, jobId, 'the same fixed job id');
  assert.ok(Number(rerun.startTime) > Number(first?.startTime), `a new run: started at ${rerun.startTime}, the first run at ${first?.startTime}`);
  // Run again from empty state: every sequence number committed twice, each time with the count of a run from the start.
  const seqs = bySequence(await committedLines(out, await partFiles(out)));
  assert.equal(seqs.size, records);
  for (const [id, counts] of seqs) {
    const count = Number(id.split(',')[1]) + 1;
    assert.deepEqual(counts, [count, count], `key,seq ${id}: committed by both runs`);
  }
  // Each run's result is in the store of its own deployment (the suspended one ran no JobManager).
  await until('the clean result of each run, in two stores', async () => {
    const stores = await readdir(clusterResults);
    const entries = await Promise.all(stores.map((d) => readdir(join(clusterResults, d))));
    return stores.length === 2 && entries.every((e) => e.join() === `${jobId}.json`) ? true : undefined;
  }, SLOW_MS);
});

test('deleting StreamDeployments with HA deletes their JobManagers first, then their HA ConfigMaps', { timeout: TEST_TIMEOUT_MS }, async () => {
  const haConfigMaps = () => api().list('v1', 'ConfigMap', 'default').filter((c) => c.metadata.labels?.['weir.dev/configmap-type'] === 'high-availability').map((c) => c.metadata.name!);
  const clusters = api().list('weir.dev/v1alpha1', 'StreamDeployment', 'default').map((sd) => sd.metadata.name!);
  assert.ok(clusters.length > 0);
  for (const name of clusters) assert.ok(haConfigMaps().includes(`${name}-cluster-config-map`), `${name} has its lock`);
  for (const name of clusters) api().delete('weir.dev/v1alpha1', 'StreamDeployment', 'default', name);
  await until('the StreamDeployments gone', () => (api().list('weir.dev/v1alpha1', 'StreamDeployment', 'default').length === 0 ? true : undefined), SLOW_MS, () => logs.slice(-5));
  assert.deepEqual(haConfigMaps(), []);
  assert.ok(configMap('weir-operator'), "the operator's own lock is not the runtime's");
});
