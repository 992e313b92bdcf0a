/** Shared set-up of the operator's end-to-end tests: a Kubernetes test cluster with the real CRD. */
import { resolve } from 'node:path';
import { startKubeCluster, installClusterResolver } from '../support/kube/index.ts';
import { eventually } from '../support/eventually.ts';
import type { KubeCluster } from '../support/kube/index.ts';
import { CRD_PATHS } from '../../src/kube-operator/crd/render-crd.ts';
import type { StreamDeploymentSpec, StreamDeploymentStatus } from '../../src/kube-operator/crd/stream-deployment-schema.ts';

export const ENDLESS_JOB = resolve('test/fixtures/jobs/endless.ts');
export const SD = { apiVersion: 'weir.dev/v1alpha1', kind: 'StreamDeployment' } as const;

export async function startOperatorTestCluster(): Promise<KubeCluster> {
  // Probes every 250 ms instead of the pods' 2 s: each JobManager and TaskManager is seen ready
  // about a second sooner, and the end-to-end tests replace them many times.
  const cluster = await startKubeCluster({ load: [CRD_PATHS[0]], kubelet: { backoff: { initialMs: 200, maxMs: 1000 }, probeMaxPeriodMs: 250 } });
  // The operator in this process reaches JobManagers by their Service names, as it would in a pod.
  installClusterResolver({ dnsFile: cluster.kubelet.dnsFile, namespace: 'default' });
  return cluster;
}

export function streamDeployment(name: string, spec: Partial<StreamDeploymentSpec> = {}) {
  return { ...SD, metadata: { name, namespace: 'default' }, spec: { image: 'weir:test', job: { entry: ENDLESS_JOB, parallelism: 2 }, ...spec } };
}

/**
 * Pod templates that mount the host directory `dir` at the same path into the JobManager and
 * TaskManager pods (a hostPath volume: one node), so checkpoints and savepoints under it are
 * shared storage, as validation asks, and the test reads them where the pods wrote them.
 */
export function sharedHostDir(dir: string): Pick<StreamDeploymentSpec, 'jobManager' | 'taskManager'> {
  const template = (container: 'jobmanager' | 'taskmanager') => ({
    podTemplate: { spec: { volumes: [{ name: 'shared-storage', hostPath: { path: dir, type: 'DirectoryOrCreate' } }], containers: [{ name: container, volumeMounts: [{ name: 'shared-storage', mountPath: dir }] }] } },
  });
  return { jobManager: template('jobmanager'), taskManager: template('taskmanager') };
}

export function statusOf(cluster: KubeCluster, name: string): StreamDeploymentStatus {
  return (cluster.server.api.tryGet(SD.apiVersion, SD.kind, 'default', name)?.status ?? {}) as StreamDeploymentStatus;
}

/** `eventually` with the description first, as the operator tests read best. */
export function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000, describe?: () => unknown): Promise<T> {
  return eventually(fn, timeoutMs, what, describe);
}

/**
 * JobManager HA for the operator's end-to-end tests, with leases a loaded machine keeps (shorter ones lost
 * leaders to load in the HA tests).
 */
export const TEST_HA = {
  'high-availability.type': 'kubernetes',
  'high-availability.kubernetes.leader-election.lease-duration': '6s',
  'high-availability.kubernetes.leader-election.renew-deadline': '4s',
  'high-availability.kubernetes.leader-election.retry-period': '500ms',
} as const;
