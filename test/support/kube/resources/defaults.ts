// Defaulting and the few validations of built-in kinds that tests are likely to hit,
// following the defaults the real API server applies (pkg/apis/*/v1/defaults.go).
import { allocateLoopback } from '../addresses.ts';
import type { StatusCause } from '../errors.ts';
import { containerCauses, selectorCauses, servicePortCauses } from './pod-validation.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { isRecord, jsonEqual } from '../types.ts';

function rec(parent: JsonObject, key: string): JsonObject {
  if (!isRecord(parent[key])) parent[key] = {};
  return parent[key] as JsonObject;
}

function setDefault(obj: JsonObject, key: string, value: unknown): void {
  if (obj[key] === undefined) obj[key] = value;
}

function defaultContainers(list: unknown, field: string, causes: StatusCause[]): void {
  if (!Array.isArray(list)) return;
  list.forEach((c: unknown, i) => {
    if (!isRecord(c)) return;
    if (typeof c.name !== 'string' || c.name === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}[${i}].name` });
    if (typeof c.image !== 'string' || c.image === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}[${i}].image` });
    setDefault(c, 'terminationMessagePath', '/dev/termination-log');
    setDefault(c, 'terminationMessagePolicy', 'File');
    const image = typeof c.image === 'string' ? c.image : '';
    setDefault(c, 'imagePullPolicy', image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent');
    if (Array.isArray(c.ports)) for (const p of c.ports) if (isRecord(p)) setDefault(p, 'protocol', 'TCP');
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const pr = c[probe];
      if (!isRecord(pr)) continue;
      setDefault(pr, 'timeoutSeconds', 1);
      setDefault(pr, 'periodSeconds', 10);
      setDefault(pr, 'successThreshold', 1);
      setDefault(pr, 'failureThreshold', 3);
      if (isRecord(pr.httpGet)) setDefault(pr.httpGet, 'scheme', 'HTTP');
    }
  });
}

export function defaultPodSpec(spec: JsonObject, field: string, causes: StatusCause[]): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  if (spec.serviceAccountName === undefined) spec.serviceAccountName = spec.serviceAccount ?? 'default';
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}.containers` });
  }
  defaultContainers(spec.containers, `${field}.containers`, causes);
  defaultContainers(spec.initContainers, `${field}.initContainers`, causes);
  causes.push(...containerCauses(spec.containers, `${field}.containers`), ...containerCauses(spec.initContainers, `${field}.initContainers`));
}

const POD_UPDATE_FORBIDDEN = 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The pod spec without the fields an update may change. */
function podSpecFrozen(spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  const out: JsonObject = { ...spec };
  delete out.activeDeadlineSeconds;
  delete out.tolerations;
  for (const list of ['containers', 'initContainers']) {
    if (Array.isArray(out[list])) out[list] = (out[list] as unknown[]).map((c) => (isRecord(c) ? { ...c, image: undefined } : c));
  }
  return out;
}

/** Requests default to limits; the class follows from what is set (pkg/apis/core/v1/helper/qos). */
function qosClass(spec: JsonObject): string {
  const containers = [spec.containers, spec.initContainers].flatMap((l) => (Array.isArray(l) ? l.filter(isRecord) : []));
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = isRecord(c.resources) ? c.resources : {};
    const limits = isRecord(res.limits) ? res.limits : {};
    if (Object.keys(limits).length > 0) res.requests = { ...limits, ...(isRecord(res.requests) ? res.requests : {}) };
    const requests = isRecord(res.requests) ? res.requests : {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      if (limits[r] === undefined || String(requests[r]) !== String(limits[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function defaultPod(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = rec(obj, 'spec');
  defaultPodSpec(spec, 'spec', causes);
  if (!old) {
    obj.status = { phase: 'Pending', qosClass: qosClass(spec) };
  } else if (!jsonEqual(podSpecFrozen(obj.spec), podSpecFrozen(old.spec))) {
    causes.push({ reason: 'FieldValueForbidden', message: POD_UPDATE_FORBIDDEN, field: 'spec' });
  }
  return causes;
}

export function defaultService(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = rec(obj, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.clusterIP === undefined && spec.type !== 'ExternalName') {
    const prev = old && isRecord(old.spec) ? old.spec.clusterIP : undefined;
    // A loopback address, where the kubelet's proxy listens for the Service's ports.
    spec.clusterIP = prev ?? allocateLoopback();
  }
  if (spec.clusterIPs === undefined && spec.clusterIP !== undefined) spec.clusterIPs = spec.clusterIP === 'None' ? ['None'] : [spec.clusterIP];
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!isRecord(p)) continue;
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p.port);
    }
  }
  if (!old) obj.status = { loadBalancer: {} };
  return servicePortCauses(spec);
}

function defaultTemplate(spec: JsonObject, causes: StatusCause[]): void {
  const template = rec(spec, 'template');
  defaultPodSpec(rec(template, 'spec'), 'spec.template.spec', causes);
  if (!isRecord(spec.selector)) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  }
  causes.push(...selectorCauses(spec));
}

/** spec.selector of apps/v1 workloads cannot change after creation. */
function selectorImmutable(obj: KubeObject, old: KubeObject | undefined, causes: StatusCause[]): void {
  if (!old || !isRecord(old.spec) || !isRecord(obj.spec) || jsonEqual(obj.spec.selector, old.spec.selector)) return;
  causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(obj.spec.selector)}: field is immutable`, field: 'spec.selector' });
}

export function defaultDeployment(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  selectorImmutable(obj, old, causes);
  const spec = rec(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const strategy = rec(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = rec(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  defaultTemplate(spec, causes);
  return causes;
}

export function defaultReplicaSet(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  selectorImmutable(obj, old, causes);
  const spec = rec(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultTemplate(spec, causes);
  return causes;
}

function microTimes(parent: unknown, fields: string[]): void {
  if (!isRecord(parent)) return;
  for (const f of fields) {
    const v = parent[f];
    if (typeof v !== 'string') continue;
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(v);
    if (m) parent[f] = `${m[1]!}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
  }
}

/** Lease times are metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export function normalizeLease(obj: KubeObject): StatusCause[] {
  microTimes(obj.spec, ['acquireTime', 'renewTime']);
  return [];
}

/** Event times are metav1.MicroTime as well. */
export function normalizeEvent(obj: KubeObject): StatusCause[] {
  microTimes(obj, ['eventTime', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp']);
  microTimes(obj.series, ['lastObservedTime']);
  return [];
}

/** stringData is write-only: the server folds it into base64 data, as the real one does. */
export function normalizeSecret(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  if (isRecord(obj.stringData)) {
    const data = isRecord(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
  if (obj.type === undefined) obj.type = 'Opaque';
  return immutableData(obj, old);
}

/** ConfigMaps and Secrets marked immutable keep their data and the flag (ValidateConfigMapUpdate). */
export function immutableData(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  if (!old || old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (obj.immutable !== true) causes.push({ reason: 'FieldValueForbidden', field: 'immutable', message: 'Forbidden: field is immutable when `immutable` is set' });
  for (const f of ['data', 'binaryData']) {
    if (!jsonEqual(obj[f] ?? {}, old[f] ?? {})) causes.push({ reason: 'FieldValueForbidden', field: f, message: 'Forbidden: field is immutable when `immutable` is set' });
  }
  return causes;
}

/**
 * A new claim without a class gets the default one (the DefaultStorageClass admission plugin;
 * the server's default is kind's `standard`), Filesystem mode, and starts Pending.
 */
export function defaultClaim(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  if (old) return [];
  const spec = isRecord(obj.spec) ? obj.spec : {};
  if (spec.storageClassName === undefined) spec.storageClassName = 'standard';
  spec.volumeMode ??= 'Filesystem';
  obj.spec = spec;
  obj.status = { phase: 'Pending' };
  return [];
}
