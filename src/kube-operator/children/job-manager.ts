/** The JobManager Deployment and its Service. */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { RestoreFrom } from './runtime-config.ts';
import { CONF_DIR, REST_PORT, childNames, componentLabels, selectorLabels } from './names.ts';
import { runtimePodTemplate } from './pod-spec.ts';
import { kubernetesHa } from '../validation/validate-spec.ts';

export interface ChildContext {
  name: string;
  namespace: string;
  spec: StreamDeploymentSpec;
  /** Hash of everything that makes a new job run (image, entry, args, configuration, ..., the deploy time). */
  clusterHash: string;
  /** Whether the job should run: false scales the cluster to zero. */
  running: boolean;
  /** The savepoint the job starts from, if any. */
  restore?: RestoreFrom;
}

export function jobManagerArgs(spec: StreamDeploymentSpec): string[] {
  const args = ['jobmanager', spec.job.entry, '--cluster', '--rest-address', '0.0.0.0', '--rest-port', String(REST_PORT), '--parallelism', String(spec.job.parallelism ?? 1), '--config-dir', CONF_DIR];
  return spec.job.args && spec.job.args.length > 0 ? [...args, '--', ...spec.job.args] : args;
}

export function jobManagerDeployment(c: ChildContext): KubeObject {
  const names = childNames(c.name);
  const probe = { httpGet: { path: '/healthz', port: 'rest' }, periodSeconds: 2 };
  const ha = kubernetesHa(c.spec);
  const template = runtimePodTemplate(c.spec, c.name, c.clusterHash, 'jobmanager', {
    args: jobManagerArgs(c.spec),
    port: { name: 'rest', containerPort: REST_PORT },
    // Under HA only the leader is ready (a standby answers /healthz but not /readyz), so the Service reaches the leader.
    probe: ha ? { httpGet: { path: '/readyz', port: 'rest' }, periodSeconds: 2 } : probe,
    ...(ha ? { liveness: probe } : {}),
    startupProbe: { ...probe, failureThreshold: 60 },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.jobManager, namespace: c.namespace, labels: componentLabels(c.name, 'jobmanager') },
    spec: {
      replicas: c.running ? (ha ? (c.spec.jobManager?.replicas ?? 1) : 1) : 0,
      // A second JobManager must never run the job beside the first (under HA the lock sees to that too).
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(c.name, 'jobmanager') },
      template,
    },
  };
}

export function jobManagerService(c: ChildContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: childNames(c.name).restService, namespace: c.namespace, labels: componentLabels(c.name, 'jobmanager') },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(c.name, 'jobmanager'),
      // TaskManagers register and heartbeat over the same HTTP listener as the REST API.
      ports: [{ name: 'rest', port: REST_PORT, targetPort: 'rest', protocol: 'TCP' }],
    },
  };
}
