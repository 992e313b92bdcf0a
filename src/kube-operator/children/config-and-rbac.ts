/** The runtime ConfigMap, and the ServiceAccount and Role the runtime uses for high availability. */
import type { KubeObject } from '../kube/kube-object.ts';
import type { ChildContext } from './job-manager.ts';
import { CONF_FILE, childNames, instanceLabels } from './names.ts';
import { renderConfigFile, runtimeConfiguration } from './runtime-config.ts';

export function configMap(c: ChildContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: childNames(c.name).config, namespace: c.namespace, labels: instanceLabels(c.name) },
    data: { [CONF_FILE]: renderConfigFile(runtimeConfiguration(c.spec, c.name, c.restore, c.clusterHash)) },
  };
}

/** Only when the user names no ServiceAccount of their own. */
export function runtimeRbac(c: ChildContext): KubeObject[] {
  if (c.spec.serviceAccount) return [];
  const names = childNames(c.name);
  const labels = instanceLabels(c.name);
  const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: names.serviceAccount, namespace: c.namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: names.haRole, namespace: c.namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: names.haRole, namespace: c.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.haRole },
      subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace: c.namespace }],
    },
  ];
}
