/** The parts of the JobManager and TaskManager pods that both share. */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { CLUSTER_HASH_ANNOTATION, CONF_DIR, childNames, componentLabels } from './names.ts';
import type { Component } from './names.ts';
import { mergePodTemplate } from './pod-template-merge.ts';

type Resources = NonNullable<NonNullable<StreamDeploymentSpec['taskManager']>['resources']>;

const DEFAULT_RESOURCES = {
  jobmanager: { cpu: '1', memory: '1Gi' },
  taskmanager: { cpu: '1', memory: '2Gi' },
} as const;

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** Bytes in a Kubernetes memory quantity such as 2Gi or 512M, or undefined if it cannot tell. */
export function quantityBytes(q: string | number): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(String(q));
  return m ? Number(m[1]) * UNITS[m[2]!]! : undefined;
}

export function containerResources(given: Resources | undefined, component: 'jobmanager' | 'taskmanager') {
  const cpu = given?.cpu ?? DEFAULT_RESOURCES[component].cpu;
  const memory = given?.memory ?? DEFAULT_RESOURCES[component].memory;
  return { requests: { cpu: String(cpu), memory: String(memory) }, limits: { cpu: String(cpu), memory: String(memory) } };
}

/** Node's heap gets three quarters of the container's memory; the rest is buffers and native memory. */
export function heapEnv(memory: string | number | undefined, component: 'jobmanager' | 'taskmanager') {
  const bytes = quantityBytes(memory ?? DEFAULT_RESOURCES[component].memory);
  return bytes === undefined ? [] : [{ name: 'NODE_OPTIONS', value: `--max-old-space-size=${Math.max(64, Math.floor((bytes * 0.75) / 1024 ** 2))}` }];
}

/**
 * The writable scratch directory (TMPDIR). Not /tmp: a volume there would hide whatever the
 * image keeps under /tmp, and in tests, where pods see the host's files, a checkout under /tmp.
 */
export const SCRATCH_DIR = '/opt/weir/scratch';

export const CONTAINER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

export const POD_SECURITY_CONTEXT = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } };

export function sharedVolumes(name: string) {
  return [
    { name: 'weir-config', configMap: { name: childNames(name).config } },
    // A read-only root filesystem still needs a scratch directory: tsx caches compiled jobs in TMPDIR.
    { name: 'scratch', emptyDir: {} },
  ];
}

export const SHARED_MOUNTS = [
  { name: 'weir-config', mountPath: CONF_DIR, readOnly: true },
  { name: 'scratch', mountPath: SCRATCH_DIR },
];

export function serviceAccountName(spec: StreamDeploymentSpec, name: string): string {
  return spec.serviceAccount && spec.serviceAccount !== '' ? spec.serviceAccount : childNames(name).serviceAccount;
}

export interface RuntimeContainer {
  args: string[];
  port: { name: string; containerPort: number };
  /** Readiness; liveness too unless `liveness` is given. */
  probe: Record<string, unknown>;
  /** A liveness probe other than readiness (a TaskManager waiting for its JobManager is alive, not ready). */
  liveness?: Record<string, unknown>;
  /** Only the JobManager has one: loading a job may take a while. */
  startupProbe?: Record<string, unknown>;
}

/** The pod of one runtime role, with the user's pod template merged under it. */
export function runtimePodTemplate(spec: StreamDeploymentSpec, name: string, clusterHash: string, component: Component, container: RuntimeContainer) {
  const role = component === 'jobmanager' ? spec.jobManager : spec.taskManager;
  const resources = role?.resources;
  return mergePodTemplate(role?.podTemplate, {
    metadata: { labels: componentLabels(name, component), annotations: { [CLUSTER_HASH_ANNOTATION]: clusterHash } },
    spec: {
      serviceAccountName: serviceAccountName(spec, name),
      securityContext: POD_SECURITY_CONTEXT,
      containers: [
        {
          name: component,
          image: spec.image ?? '',
          imagePullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
          args: container.args,
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'TMPDIR', value: SCRATCH_DIR }, ...heapEnv(resources?.memory, component)],
          ports: [{ ...container.port, protocol: 'TCP' }],
          resources: containerResources(resources, component),
          ...(container.startupProbe ? { startupProbe: container.startupProbe } : {}),
          readinessProbe: container.probe,
          livenessProbe: { ...(container.liveness ?? container.probe), failureThreshold: 6 },
          securityContext: CONTAINER_SECURITY_CONTEXT,
          // A runtime that fails to start says why on stderr; the pod status then carries it (see reconciler/crash-loop.ts).
          terminationMessagePolicy: 'FallbackToLogsOnError',
          volumeMounts: SHARED_MOUNTS,
        },
      ],
      volumes: sharedVolumes(name),
    },
  });
}
