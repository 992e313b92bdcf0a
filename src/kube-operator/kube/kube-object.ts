/** Plain Kubernetes objects as the API server sends them, and where each kind lives. */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
  [field: string]: unknown;
}

/** Plural resource names of the kinds the operator reads or writes. */
const PLURALS: Record<string, string> = {
  Deployment: 'deployments',
  Service: 'services',
  ConfigMap: 'configmaps',
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  Pod: 'pods',
  Event: 'events',
  Lease: 'leases',
  StreamDeployment: 'streamdeployments',
};

export function pluralOf(kind: string): string {
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`no plural known for kind ${kind}`);
  return plural;
}

/** `/api/v1/namespaces/ns/pods` or `/apis/apps/v1/namespaces/ns/deployments[/name]`. */
export function resourcePath(apiVersion: string, kind: string, namespace: string | undefined, name?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${pluralOf(kind)}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export function objectPath(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return resourcePath(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
}

/** A timestamp as Kubernetes writes them (RFC 3339, whole seconds). */
export function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
