/**
 * The operator at scale (issue 6's targets): 500 StreamDeployments against the Kubernetes
 * test server (no kubelet, so no pods run). Measures the time until every one has all its
 * children, the reconcile latency after a spec change (patch sent -> status records the new
 * generation and the JobManager Deployment carries the new image), and the operator
 * process's resident memory. The operator runs as its own `weir operator` process so its
 * memory is not mixed with the test server's.
 *
 *   node --import tsx bench/operator-scale.ts [--deployments 500] [--changes 200]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startKubeServer } from '../test/support/kube/index.ts';
import { CRD_PATHS } from '../src/kube-operator/crd/render-crd.ts';
import { OPERATOR_NODE_OPTIONS } from '../src/kube-operator/node-options.ts';
import { intFlag, isMain } from './support/args.ts';
import { machineLine, verdict } from './support/report.ts';

export interface OperatorBenchResult {
  deployments: number;
  allChildrenSeconds: number;
  changes: number;
  p50Ms: number;
  p99Ms: number;
  maxRssMb: number;
}

const SD = { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment' } as const;
const CHILDREN_PER_DEPLOYMENT = 7;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runOperatorScaleBench(deployments = 500, changes = 200): Promise<OperatorBenchResult> {
  // No controllers: the Deployments get no ReplicaSets or pods, so only the operator's own work is measured.
  const server = await startKubeServer({ load: [CRD_PATHS[0]], historyLimit: 200_000, controllers: false });
  const dir = mkdtempSync(join(tmpdir(), 'weir-operator-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfigYaml);
  // As the operator image runs it.
  const operator = spawn(process.execPath, [resolve('bin/weir.mjs'), 'operator', '--leader-elect', 'false', '--http-port', '0'], {
    env: { ...process.env, KUBECONFIG: kubeconfig, NODE_OPTIONS: OPERATOR_NODE_OPTIONS },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let maxRss = 0;
  let rssSamples = 0;
  let rssError: Error | undefined;
  const sampler = setInterval(() => {
    try {
      const rss = readRss(operator.pid);
      rssSamples++;
      if (rss > maxRss) maxRss = rss;
    } catch (err) {
      rssError = err instanceof Error ? err : new Error(String(err));
      clearInterval(sampler);
    }
  }, 100);
  operator.once('exit', (code, signal) => {
    rssError ??= new Error(`the operator exited (${code ?? signal})`);
  });
  // Stop waiting as soon as the operator is gone or its memory unreadable.
  const waitFor = (check: () => boolean, timeoutMs: number, what: string, pollMs = 50) =>
    waitUntil(check, timeoutMs, what, pollMs, () => rssError);
  try {
    const owned = new Map<string, number>();
    const unsubscribe = server.store.subscribe((e) => {
      const instance = e.object.metadata.labels?.['app.kubernetes.io/instance'];
      if (e.type === 'ADDED' && instance && e.object.kind !== 'Event') owned.set(instance, (owned.get(instance) ?? 0) + 1);
    });
    const started = performance.now();
    for (let i = 0; i < deployments; i++) {
      server.api.create({ ...SD, metadata: { name: `job-${i}`, namespace: 'default' }, spec: { image: 'weir:1', job: { entry: '/opt/weir/job/job.ts', parallelism: 2 } } });
    }
    await waitFor(() => [...owned.values()].filter((n) => n >= CHILDREN_PER_DEPLOYMENT).length >= deployments, 300_000, 'all children');
    const allChildrenSeconds = (performance.now() - started) / 1000;
    unsubscribe();

    // Spec changes one after another, at a pace a platform team's CI might produce.
    const latencies: number[] = [];
    for (let c = 0; c < changes; c++) {
      const name = `job-${(c * 7) % deployments}`;
      const image = `weir:${c + 2}`;
      const sent = performance.now();
      const patched = server.api.patch(SD.apiVersion, SD.kind, 'default', name, 'application/merge-patch+json', { spec: { image } });
      await waitFor(() => {
        const sd = server.api.tryGet(SD.apiVersion, SD.kind, 'default', name);
        const jm = server.api.tryGet('apps/v1', 'Deployment', 'default', `${name}-jobmanager`);
        const reconciled = (sd?.status as { observedGeneration?: number } | undefined)?.observedGeneration === patched.metadata.generation;
        return reconciled && JSON.stringify(jm?.spec).includes(`"image":"${image}"`);
      }, 30_000, `reconcile of ${name}`, 1);
      latencies.push(performance.now() - sent);
      await new Promise((r) => setTimeout(r, 20));
    }
    latencies.sort((a, b) => a - b);
    // A memory figure the bench could not read must fail it, never read as 0 MB.
    if (rssError !== undefined) throw failure(rssError);
    if (rssSamples === 0) throw new Error("operator benchmark: the operator's RSS was never sampled");
    return { deployments, allChildrenSeconds, changes, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxRssMb: maxRss / 1024 / 1024 };
  } finally {
    clearInterval(sampler);
    operator.kill('SIGTERM');
    await new Promise((r) => operator.once('exit', r));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The resident set size of process `pid` in bytes, from /proc (Linux); throws when it cannot be read. */
function readRss(pid: number | undefined): number {
  if (pid === undefined) throw new Error('the operator process has no pid (it did not start)');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  if (m === null) throw new Error(`/proc/${pid}/status has no VmRSS line (the process has exited?)`);
  return Number(m[1]) * 1024;
}

function failure(cause: Error): Error {
  return new Error(`operator benchmark: cannot read the operator's RSS: ${cause.message}`, { cause });
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string, pollMs: number, failed: () => Error | undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    const err = failed();
    if (err !== undefined) throw failure(err);
    if (performance.now() > deadline) throw new Error(`operator benchmark: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Issue 6's targets are for this setup: 500 StreamDeployments on one operator. */
export const TARGET_DEPLOYMENTS = 500;
export const TARGET_P99_MS = 1000;
export const TARGET_RSS_MB = 300;

export function operatorReport(r: OperatorBenchResult): string[] {
  const judged = r.deployments === TARGET_DEPLOYMENTS;
  const target = (text: string, met: boolean) => (judged ? ` (target ${text}: ${verdict(met)})` : '');
  const lines = [
    `operator: ${r.deployments} StreamDeployments had all their children after ${r.allChildrenSeconds.toFixed(1)}s; ` +
      `reconcile latency after a spec change p50 ${r.p50Ms.toFixed(0)}ms, p99 ${r.p99Ms.toFixed(0)}ms over ${r.changes} changes${target(`< ${TARGET_P99_MS}ms`, r.p99Ms < TARGET_P99_MS)}; ` +
      `operator RSS max ${r.maxRssMb.toFixed(0)}MB${target(`< ${TARGET_RSS_MB}MB`, r.maxRssMb < TARGET_RSS_MB)}`,
  ];
  if (!judged) lines.push(`  (issue 6's targets are for ${TARGET_DEPLOYMENTS} StreamDeployments: not judged at ${r.deployments})`);
  return lines;
}

if (isMain(import.meta.url)) {
  const r = await runOperatorScaleBench(intFlag('deployments', TARGET_DEPLOYMENTS), intFlag('changes', 200));
  console.log(machineLine());
  for (const line of operatorReport(r)) console.log(line);
}
