/** The TaskManager Deployment: slots and replicas follow the parallelism. */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { slotsPerTaskManager } from '../validation/validate-spec.ts';
import type { ChildContext } from './job-manager.ts';
import { CONF_DIR, METRICS_PORT, REST_PORT, childNames, componentLabels, selectorLabels } from './names.ts';
import { runtimePodTemplate } from './pod-spec.ts';

/** `spec.taskManager.replicas`, or enough TaskManagers to offer one slot per parallel subtask. */
export function taskManagerReplicas(spec: StreamDeploymentSpec): number {
  if (spec.taskManager?.replicas !== undefined) return spec.taskManager.replicas;
  return Math.ceil((spec.job.parallelism ?? 1) / (slotsPerTaskManager(spec) ?? 1));
}

export function taskManagerDeployment(c: ChildContext): KubeObject {
  const names = childNames(c.name);
  const slots = slotsPerTaskManager(c.spec) ?? 1;
  const template = runtimePodTemplate(c.spec, c.name, c.clusterHash, 'taskmanager', {
    args: ['taskmanager', '--jobmanager', `http://${names.restService}:${REST_PORT}`, '--slots', String(slots), '--host', '$(POD_IP)', '--metrics-port', String(METRICS_PORT), '--config-dir', CONF_DIR],
    port: { name: 'metrics', containerPort: METRICS_PORT },
    // Ready once registered with the JobManager (it keeps trying for taskmanager.registration.timeout, then exits).
    probe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 2 },
    liveness: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 5 },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.taskManager, namespace: c.namespace, labels: componentLabels(c.name, 'taskmanager') },
    spec: {
      replicas: c.running ? taskManagerReplicas(c.spec) : 0,
      // A changed pod template is a new cluster version (image, configuration): the new job must
      // not run on TaskManagers of the old one, which a rolling update would remove under it.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(c.name, 'taskmanager') },
      template,
    },
  };
}
