// The tables of `kubectl get` for the built-in kinds, column for column as Kubernetes'
// printers (pkg/printers/internalversion) fill them; kinds without a printer get the
// server's default table (Name, Created At).
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { since } from './human-duration.ts';
import { podPrinter } from './pod-printer.ts';
import type { Printer } from './printer.ts';
import { NAME, column } from './printer.ts';

const AGE = column('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.');

function rec(v: unknown): JsonObject {
  return isRecord(v) ? v : {};
}

function list(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

const age = (o: KubeObject, now: number): string => since(o.metadata.creationTimestamp, now);

/** Containers, images and selector: the wide columns of workload controllers. */
function workloadWide(o: KubeObject): string[] {
  const spec = rec(o.spec);
  const containers = list(rec(rec(spec.template).spec).containers);
  return [containers.map((c) => String(c.name ?? '')).join(','), containers.map((c) => String(c.image ?? '')).join(','), selectorText(spec.selector)];
}

/** A LabelSelector as metav1.LabelSelectorAsSelector prints it. */
function selectorText(selector: unknown): string {
  const sel = rec(selector);
  const terms = Object.entries(rec(sel.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of list(sel.matchExpressions)) {
    const values = Array.isArray(e.values) ? e.values.map(String).sort().join(',') : '';
    const key = String(e.key);
    if (e.operator === 'In') terms.push(`${key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${key}`);
  }
  return terms.length === 0 ? '<none>' : terms.sort().join(',');
}

const WORKLOAD_WIDE = [
  column('Containers', 'string', 1, 'Names of each container in the template.'),
  column('Images', 'string', 1, 'Images referenced by each container in the template.'),
  column('Selector', 'string', 1, 'Label selector for pods.'),
];

const deployments: Printer = {
  columns: [NAME, column('Ready', 'string', 0, 'Number of the pod with ready state'), column('Up-to-date', 'integer'), column('Available', 'integer'), AGE, ...WORKLOAD_WIDE],
  cells: (d, now) => {
    const spec = rec(d.spec);
    const s = rec(d.status);
    return [d.metadata.name, `${Number(s.readyReplicas ?? 0)}/${Number(spec.replicas ?? 0)}`, Number(s.updatedReplicas ?? 0), Number(s.availableReplicas ?? 0), age(d, now), ...workloadWide(d)];
  },
};

const replicaSets: Printer = {
  columns: [NAME, column('Desired', 'integer'), column('Current', 'integer'), column('Ready', 'integer'), AGE, ...WORKLOAD_WIDE],
  cells: (rs, now) => {
    const s = rec(rs.status);
    return [rs.metadata.name, Number(rec(rs.spec).replicas ?? 0), Number(s.replicas ?? 0), Number(s.readyReplicas ?? 0), age(rs, now), ...workloadWide(rs)];
  },
};

function externalIP(spec: JsonObject, status: JsonObject): string {
  const external = Array.isArray(spec.externalIPs) ? spec.externalIPs.map(String) : [];
  if (spec.type === 'LoadBalancer') {
    const ingress = list(rec(status.loadBalancer).ingress).map((i) => String(i.ip ?? i.hostname ?? ''));
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  if (spec.type === 'ExternalName') return String(spec.externalName ?? '<none>');
  return external.length > 0 ? external.join(',') : '<none>';
}

const services: Printer = {
  columns: [
    NAME, column('Type', 'string', 0, 'type determines how the Service is exposed.'), column('Cluster-IP'), column('External-IP'), column('Port(s)'), AGE,
    column('Selector', 'string', 1, 'Route service traffic to pods with label keys and values matching this selector.'),
  ],
  cells: (svc, now) => {
    const spec = rec(svc.spec);
    const ports = list(spec.ports).map((p) => `${String(p.port)}${p.nodePort ? `:${String(p.nodePort)}` : ''}/${String(p.protocol ?? 'TCP')}`);
    const selector = Object.entries(rec(spec.selector)).map(([k, v]) => `${k}=${String(v)}`).join(',');
    return [
      svc.metadata.name, String(spec.type ?? 'ClusterIP'), String(spec.clusterIP ?? '<none>'), externalIP(spec, rec(svc.status)),
      ports.length > 0 ? ports.join(',') : '<none>', age(svc, now), selector === '' ? '<none>' : selector,
    ];
  },
};

const configMaps: Printer = {
  columns: [NAME, column('Data', 'integer'), AGE],
  cells: (cm, now) => [cm.metadata.name, Object.keys(rec(cm.data)).length + Object.keys(rec(cm.binaryData)).length, age(cm, now)],
};

const secrets: Printer = {
  columns: [NAME, column('Type'), column('Data', 'integer'), AGE],
  cells: (s, now) => [s.metadata.name, String(s.type ?? 'Opaque'), Object.keys(rec(s.data)).length, age(s, now)],
};

const namespaces: Printer = {
  columns: [NAME, column('Status', 'string', 0, 'The status of the namespace'), AGE],
  cells: (ns, now) => [ns.metadata.name, String(rec(ns.status).phase ?? 'Active'), age(ns, now)],
};

const nodes: Printer = {
  columns: [NAME, column('Status'), column('Roles'), AGE, column('Version'), column('Internal-IP', 'string', 1), column('External-IP', 'string', 1), column('OS-Image', 'string', 1), column('Kernel-Version', 'string', 1), column('Container-Runtime', 'string', 1)],
  cells: (n, now) => {
    const status = rec(n.status);
    const ready = list(status.conditions).find((c) => c.type === 'Ready');
    let state = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
    if (rec(n.spec).unschedulable === true) state += ',SchedulingDisabled';
    const roles = Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length));
    const address = (type: string): string => String(list(status.addresses).find((a) => a.type === type)?.address ?? '<none>');
    const info = rec(status.nodeInfo);
    return [
      n.metadata.name, state, roles.length > 0 ? roles.join(',') : '<none>', age(n, now), String(info.kubeletVersion ?? ''),
      address('InternalIP'), address('ExternalIP'), String(info.osImage ?? '<unknown>'), String(info.kernelVersion ?? '<unknown>'), String(info.containerRuntimeVersion ?? '<unknown>'),
    ];
  },
};

const endpoints: Printer = {
  columns: [NAME, column('Endpoints', 'string', 0, 'Endpoints is the list of endpoints in this object.'), AGE],
  cells: (ep, now) => {
    const all = list(ep.subsets).flatMap((s) => list(s.addresses).flatMap((a) => {
      const ports = list(s.ports);
      return ports.length === 0 ? [String(a.ip)] : ports.map((p) => `${String(a.ip)}:${String(p.port)}`);
    }));
    const shown = all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
    return [ep.metadata.name, shown === '' ? '<none>' : shown, age(ep, now)];
  },
};

const serviceAccounts: Printer = {
  columns: [NAME, column('Secrets', 'integer'), AGE],
  cells: (sa, now) => [sa.metadata.name, list(sa.secrets).length, age(sa, now)],
};

const leases: Printer = {
  columns: [NAME, column('Holder', 'string', 0, 'holderIdentity contains the identity of the holder of a current lease.'), AGE],
  cells: (l, now) => [l.metadata.name, String(rec(l.spec).holderIdentity ?? ''), age(l, now)],
};

/** A core/v1 Event, or an events.k8s.io/v1 one read as core/v1, as printEvent shows it. */
function eventCells(e: KubeObject, now: number): unknown[] {
  const involved = rec(e.involvedObject ?? e.regarding);
  const source = rec(e.source);
  const first = since(e.firstTimestamp ?? e.deprecatedFirstTimestamp ?? e.eventTime, now);
  const series = rec(e.series);
  const last = series.lastObservedTime !== undefined ? since(series.lastObservedTime, now) : e.lastTimestamp ?? e.deprecatedLastTimestamp ? since(e.lastTimestamp ?? e.deprecatedLastTimestamp, now) : first;
  const count = Number(series.count ?? e.count ?? e.deprecatedCount ?? 0) || 1;
  const kind = String(involved.kind ?? '').toLowerCase();
  const target = involved.name ? `${kind}/${String(involved.name)}` : kind;
  const component = source.component ?? e.reportingController ?? e.reportingComponent;
  const host = source.host ?? e.reportingInstance;
  const from = component ? `${String(component)}${host ? `, ${String(host)}` : ''}` : '';
  return [last, String(e.type ?? ''), String(e.reason ?? ''), target, String(involved.fieldPath ?? ''), from, String(e.message ?? e.note ?? '').trim(), first, count, e.metadata.name];
}

const events: Printer = {
  columns: [
    column('Last Seen', 'string', 0, 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 0, 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', 0, 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'string', 0, 'The object that this event is about.'),
    column('Subobject', 'string', 1, 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
    column('Source', 'string', 1, 'The component reporting this event.'),
    column('Message', 'string', 0, 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 1, 'The time at which the event was first recorded.'),
    column('Count', 'integer', 1, 'The number of times this event has occurred.'),
    { ...NAME, priority: 1 },
  ],
  cells: eventCells,
};

const crds: Printer = {
  columns: [NAME, column('Created At', 'date')],
  cells: (crd) => [crd.metadata.name, crd.metadata.creationTimestamp],
};

/** The server's table for a kind without its own printer. */
export const defaultPrinter: Printer = {
  columns: [NAME, column('Created At', 'date', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

/** Printers by storage key (`<group>/<plural>`). */
export const BUILTIN_PRINTERS: Record<string, Printer> = {
  '/pods': podPrinter,
  'apps/deployments': deployments,
  'apps/replicasets': replicaSets,
  '/services': services,
  '/configmaps': configMaps,
  '/secrets': secrets,
  '/namespaces': namespaces,
  '/nodes': nodes,
  '/endpoints': endpoints,
  '/serviceaccounts': serviceAccounts,
  'coordination.k8s.io/leases': leases,
  '/events': events,
  'events.k8s.io/events': events,
  'apiextensions.k8s.io/customresourcedefinitions': crds,
};
