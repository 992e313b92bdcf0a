// A container's environment from its pod spec: literal values, fieldRef (pod name,
// namespace, IP, ...), resourceFieldRef, configMapKeyRef and secretKeyRef, envFrom, and
// $(VAR) expansion.
import type { KubeApi } from '../api/api.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { getPath, isRecord } from '../types.ts';
import { resourceFieldValue } from './quantity.ts';

export class EnvError extends Error {}

/** Expands $(VAR) references; $$ escapes, unknown references stay as written. */
export function expandVars(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && env[name] !== undefined ? env[name] : m;
  });
}

function fieldRef(pod: KubeObject, path: string): string {
  const labelMatch = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelMatch) {
    const map = pod.metadata[labelMatch[1] as 'labels' | 'annotations'] ?? {};
    return map[labelMatch[2]!] ?? '';
  }
  const v = getPath(pod, path);
  return v === undefined || v === null ? '' : String(v);
}

function keyRef(api: KubeApi, ns: string, ref: JsonObject, kind: 'ConfigMap' | 'Secret'): string | undefined {
  const obj = api.tryGet('v1', kind, ns, String(ref.name ?? ''));
  const optional = ref.optional === true;
  const key = String(ref.key ?? '');
  if (!obj) {
    if (optional) return undefined;
    throw new EnvError(`${kind.toLowerCase()} "${String(ref.name)}" not found`);
  }
  const data = isRecord(obj.data) ? obj.data : {};
  if (kind === 'ConfigMap') {
    if (typeof data[key] === 'string') return data[key];
  } else if (typeof data[key] === 'string') {
    return Buffer.from(data[key], 'base64').toString('utf8');
  } else if (isRecord(obj.stringData) && typeof obj.stringData[key] === 'string') {
    return obj.stringData[key];
  }
  if (optional) return undefined;
  throw new EnvError(`couldn't find key ${key} in ${kind} ${ns}/${String(ref.name)}`);
}

export function containerEnv(api: KubeApi, pod: KubeObject, container: JsonObject, base: Record<string, string>): Record<string, string> {
  const ns = pod.metadata.namespace ?? '';
  const env: Record<string, string> = { ...base };
  for (const from of Array.isArray(container.envFrom) ? container.envFrom.filter(isRecord) : []) {
    const prefix = typeof from.prefix === 'string' ? from.prefix : '';
    const ref = isRecord(from.configMapRef) ? from.configMapRef : isRecord(from.secretRef) ? from.secretRef : undefined;
    if (!ref) continue;
    const kind = isRecord(from.configMapRef) ? 'ConfigMap' : 'Secret';
    const obj = api.tryGet('v1', kind, ns, String(ref.name ?? ''));
    if (!obj) {
      if (ref.optional === true) continue;
      throw new EnvError(`${kind.toLowerCase()} "${String(ref.name)}" not found`);
    }
    const data = isRecord(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(data)) {
      env[prefix + k] = kind === 'Secret' ? Buffer.from(String(v), 'base64').toString('utf8') : String(v);
    }
  }
  for (const e of Array.isArray(container.env) ? container.env.filter(isRecord) : []) {
    const name = String(e.name ?? '');
    if (typeof e.value === 'string') {
      env[name] = expandVars(e.value, env);
      continue;
    }
    const vf = isRecord(e.valueFrom) ? e.valueFrom : undefined;
    if (!vf) {
      env[name] = '';
      continue;
    }
    let value: string | undefined;
    if (isRecord(vf.fieldRef)) value = fieldRef(pod, String(vf.fieldRef.fieldPath ?? ''));
    else if (isRecord(vf.configMapKeyRef)) value = keyRef(api, ns, vf.configMapKeyRef, 'ConfigMap');
    else if (isRecord(vf.secretKeyRef)) value = keyRef(api, ns, vf.secretKeyRef, 'Secret');
    else if (isRecord(vf.resourceFieldRef)) value = resourceFieldValue(container, vf.resourceFieldRef);
    if (value !== undefined) env[name] = value;
  }
  return env;
}
