/** The TaskManager Deployment: slots and replicas follow the parallelism. */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { slotsPerTaskManager } from '../spec/validate-spec.ts';
import type { ChildContext } from './job-manager.ts';
import { CLUSTER_HASH_ANNOTATION, CONF_DIR, METRICS_PORT, REST_PORT, childNames, componentLabels, selectorLabels } from './names.ts';
import { CONTAINER_SECURITY_CONTEXT, POD_SECURITY_CONTEXT, SHARED_MOUNTS, containerResources, heapEnv, serviceAccountName, sharedVolumes } from './pod-spec.ts';
import { mergePodTemplate } from './pod-template-merge.ts';

/** `spec.taskManager.replicas`, or enough TaskManagers to offer one slot per parallel subtask. */
export function taskManagerReplicas(spec: StreamDeploymentSpec): number {
  if (spec.taskManager?.replicas !== undefined) return spec.taskManager.replicas;
  return Math.ceil((spec.job.parallelism ?? 1) / (slotsPerTaskManager(spec) ?? 1));
}

export function taskManagerDeployment(c: ChildContext): KubeObject {
  const names = childNames(c.name);
  const resources = c.spec.taskManager?.resources;
  const slots = slotsPerTaskManager(c.spec) ?? 1;
  const probe = { tcpSocket: { port: 'metrics' }, periodSeconds: 5 };
  const template = mergePodTemplate(c.spec.taskManager?.podTemplate, {
    metadata: { labels: componentLabels(c.name, 'taskmanager'), annotations: { [CLUSTER_HASH_ANNOTATION]: c.clusterHash } },
    spec: {
      serviceAccountName: serviceAccountName(c.spec, c.name),
      securityContext: POD_SECURITY_CONTEXT,
      containers: [
        {
          name: 'taskmanager',
          image: c.spec.image ?? '',
          imagePullPolicy: c.spec.imagePullPolicy ?? 'IfNotPresent',
          args: ['taskmanager', '--jobmanager', `http://${names.restService}:${REST_PORT}`, '--slots', String(slots), '--host', '$(POD_IP)', '--metrics-port', String(METRICS_PORT), '--config-dir', CONF_DIR],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, ...heapEnv(resources?.memory, 'taskmanager')],
          ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
          resources: containerResources(resources, 'taskmanager'),
          readinessProbe: probe,
          livenessProbe: { ...probe, failureThreshold: 6 },
          securityContext: CONTAINER_SECURITY_CONTEXT,
          volumeMounts: SHARED_MOUNTS,
        },
      ],
      volumes: sharedVolumes(c.name),
    },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.taskManager, namespace: c.namespace, labels: componentLabels(c.name, 'taskmanager') },
    spec: {
      replicas: c.running ? taskManagerReplicas(c.spec) : 0,
      selector: { matchLabels: selectorLabels(c.name, 'taskmanager') },
      template,
    },
  };
}
