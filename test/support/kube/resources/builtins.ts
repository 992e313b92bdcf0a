// The built-in kinds the server serves, with the strategy flags of their real registries.
import type { ResourceType } from './types.ts';
import { defaultClaim, defaultDeployment, defaultPod, defaultReplicaSet, defaultService, immutableData, normalizeEvent, normalizeLease, normalizeSecret } from './defaults.ts';

type Partial1 = Pick<ResourceType, 'group' | 'version' | 'plural' | 'kind' | 'namespaced'> & Partial<ResourceType>;

function builtin(p: Partial1): ResourceType {
  return {
    singular: p.kind.toLowerCase(),
    listKind: `${p.kind}List`,
    shortNames: [],
    categories: [],
    status: false,
    generation: false,
    generationOnAnyChange: false,
    custom: false,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: false,
    ...p,
  };
}

export const BUILTINS: ResourceType[] = [
  builtin({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], status: true }),
  builtin({
    group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
    status: true, returnDeletedObject: true, prepare: defaultPod,
  }),
  builtin({
    group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'],
    status: true, returnDeletedObject: true, prepare: defaultService,
  }),
  builtin({ group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] }),
  builtin({ group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true }),
  builtin({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], prepare: immutableData }),
  builtin({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, prepare: normalizeSecret }),
  builtin({ group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'] }),
  builtin({ group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], allowCreateOnUpdate: true, prepare: normalizeEvent }),
  builtin({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], status: true }),
  builtin({ group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], allowCreateOnUpdate: true, prepare: normalizeEvent }),
  builtin({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, allowCreateOnUpdate: true, prepare: normalizeLease }),
  builtin({
    group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'],
    categories: ['all'], status: true, generation: true,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' },
    prepare: defaultDeployment,
  }),
  builtin({
    group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'],
    categories: ['all'], status: true, generation: true,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'status.selector' },
    prepare: defaultReplicaSet,
  }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false }),
  builtin({ group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, shortNames: ['pdb'], status: true, generation: true }),
  // Claims of the default class are bound by the kubelet's local-path provisioner (kubelet/local-path.ts).
  builtin({ group: '', version: 'v1', plural: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'], status: true, prepare: defaultClaim }),
  builtin({ group: '', version: 'v1', plural: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], status: true }),
  builtin({ group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', kind: 'StorageClass', namespaced: false, shortNames: ['sc'] }),
  // Stored only (no controller runs them), so code that creates them sees real API behaviour.
  builtin({ group: 'apps', version: 'v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], status: true, generation: true }),
  builtin({ group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true, status: true, generation: true }),
  builtin({ group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, shortNames: ['hpa'], status: true }),
  builtin({ group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress', namespaced: true, shortNames: ['ing'], status: true, generation: true }),
  builtin({ group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true, shortNames: ['netpol'], generation: true }),
  builtin({
    group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition',
    namespaced: false, shortNames: ['crd', 'crds'], status: true, generation: true,
  }),
];
