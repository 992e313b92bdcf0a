// Which fields a field selector may use per resource, as the real registries declare
// (GetAttrs / field label conversion funcs); custom resources add their selectableFields.
import { badRequest } from '../errors.ts';
import type { ResourceType } from './types.ts';

const COMMON = ['metadata.name', 'metadata.namespace'];

const BUILTIN: Record<string, string[]> = {
  '/pods': [
    'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork',
    'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName',
  ],
  '/events': [
    'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
    'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type',
  ],
  'events.k8s.io/events': [
    'regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion', 'regarding.resourceVersion',
    'regarding.fieldPath', 'reason', 'reportingController', 'type',
  ],
  '/secrets': ['type'],
  '/namespaces': ['status.phase'],
  '/nodes': ['spec.unschedulable'],
  'apps/replicasets': ['status.replicas'],
};

/** Rejects field selectors on fields the resource does not index, with the real messages. */
export function checkFieldSelector(rt: ResourceType, selector: string | undefined, selectable: string[] = []): void {
  if (!selector) return;
  const allowed = [...COMMON, ...(BUILTIN[`${rt.group}/${rt.plural}`] ?? []), ...selectable];
  for (const term of selector.split(',')) {
    const field = term.split(/!=|==|=/)[0]!.trim();
    if (field === '' || allowed.includes(field)) continue;
    if (rt.custom) {
      throw badRequest(`"${field}" is not a known field selector: only ${allowed.map((f) => `"${f}"`).join(', ')}`);
    }
    throw badRequest(`field label not supported: ${field}`);
  }
}
