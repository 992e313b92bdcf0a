/** Shared set-up of the operator's end-to-end tests: a Kubernetes test cluster with the real CRD, and reading what jobs committed. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startKubeCluster, installClusterResolver } from '../support/kube/index.ts';
import { eventually } from '../support/eventually.ts';
import type { KubeCluster } from '../support/kube/index.ts';
import { CRD_PATHS } from '../../src/kube-operator/crd/render-crd.ts';
import type { StreamDeploymentSpec, StreamDeploymentStatus } from '../../src/kube-operator/crd/stream-deployment-schema.ts';

export const ENDLESS_JOB = resolve('test/fixtures/jobs/endless.ts');
export const SD = { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment' } as const;

export async function startOperatorTestCluster(): Promise<KubeCluster> {
  const cluster = await startKubeCluster({ load: [CRD_PATHS[0]], kubelet: { backoff: { initialMs: 200, maxMs: 1000 } } });
  // The operator in this process reaches JobManagers by their Service names, as it would in a pod.
  installClusterResolver({ dnsFile: cluster.kubelet.dnsFile, namespace: 'default' });
  return cluster;
}

export function streamDeployment(name: string, spec: Partial<StreamDeploymentSpec> = {}) {
  return { ...SD, metadata: { name, namespace: 'default' }, spec: { image: 'weir:test', job: { entry: ENDLESS_JOB, parallelism: 2 }, ...spec } };
}

export function statusOf(cluster: KubeCluster, name: string): StreamDeploymentStatus {
  return (cluster.server.api.tryGet(SD.apiVersion, SD.kind, 'default', name)?.status ?? {}) as StreamDeploymentStatus;
}

/** `eventually` with the description first, as the operator tests read best. */
export function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, describe?: () => unknown): Promise<T> {
  return eventually(fn, timeoutMs, what, describe);
}

/** Committed lines `seq,<key>,<seq>,<count>` of the exactly-once file sink in `dir`, as [seq, count] pairs by key. */
export async function committedSequences(dir: string): Promise<Map<string, number[][]>> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('part-'));
  const lines = (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).flatMap((t) => t.split('\n')).filter((l) => l.startsWith('seq,'));
  const byKey = new Map<string, number[][]>();
  for (const l of lines) {
    const [, key, seq, count] = l.split(',');
    byKey.set(key!, [...(byKey.get(key!) ?? []), [Number(seq), Number(count)]]);
  }
  return byKey;
}

/**
 * Each key is read in order, so what is committed of a key is a prefix of its sequence: 0..n
 * exactly once each, counted 1..n+1 from state that went on across every job. Returns how
 * many lines were committed.
 */
export async function assertSequencesExact(dir: string, keys: number): Promise<number> {
  const byKey = await committedSequences(dir);
  assert.equal(byKey.size, keys, `keys committed to ${dir}`);
  let total = 0;
  for (const [key, pairs] of byKey) {
    const sorted = [...pairs].sort((a, b) => a[0]! - b[0]!);
    sorted.forEach(([seq, count], i) => {
      assert.equal(seq, i, `key ${key}: sequence number ${i} committed exactly once (found ${seq})`);
      assert.equal(count, seq! + 1, `key ${key} seq ${seq}: the count went on from the restored state`);
    });
    total += sorted.length;
  }
  return total;
}
