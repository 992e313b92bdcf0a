// The RBAC rules the operator's brief calls for, written out by hand so the chart is
// checked against the brief rather than against itself.
import { NAMESPACE } from './render.ts';

/** Everything the operator does in a namespace it watches (the brief of its RBAC). */
export const WATCH_RULES = [
  { apiGroups: ['weir.dev'], resources: ['streamdeployments'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroups: ['weir.dev'], resources: ['streamdeployments/status'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['weir.dev'], resources: ['streamdeployments/finalizers'], verbs: ['update'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['services', 'configmaps', 'serviceaccounts'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'patch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

export const EVENT_RULES = [
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

export const OPERATOR_SUBJECT = [{ kind: 'ServiceAccount', name: 'weir-weir-operator', namespace: NAMESPACE }];
