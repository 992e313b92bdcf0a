/** Names and labels of the objects a StreamDeployment owns (DESIGN section 7). */

export type Component = 'jobmanager' | 'taskmanager';

export const REST_PORT = 8081;
export const METRICS_PORT = 9249;
export const CONF_DIR = '/opt/weir/conf';
export const CONF_FILE = 'config.yaml';
export const HASH_ANNOTATION = 'weir.dev/desired-hash';
export const CLUSTER_HASH_ANNOTATION = 'weir.dev/cluster-hash';
export const FINALIZER = 'weir.dev/finalizer';

export function childNames(name: string) {
  return {
    jobManager: `${name}-jobmanager`,
    taskManager: `${name}-taskmanager`,
    restService: `${name}-rest`,
    config: `${name}-config`,
    serviceAccount: `${name}-weir`,
    haRole: `${name}-ha`,
  };
}

export function instanceLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'weir', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'weir-operator' };
}

export function componentLabels(name: string, component: Component): Record<string, string> {
  return { ...instanceLabels(name), 'app.kubernetes.io/component': component };
}

/** Selector labels stay minimal: a Deployment's selector cannot change after creation. */
export function selectorLabels(name: string, component: Component): Record<string, string> {
  return { 'app.kubernetes.io/name': 'weir', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': component };
}

export function labelSelectorString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The JobManager REST address inside the cluster. */
export function jobManagerServiceUrl(name: string, namespace: string): string {
  return `http://${childNames(name).restService}.${namespace}.svc:${REST_PORT}`;
}
