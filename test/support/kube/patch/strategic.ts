// Strategic merge patch for built-in kinds: lists that Kubernetes declares with a patch
// merge key (containers by name, ports by containerPort, ...) merge element-wise, the
// rest behave like a JSON merge patch. Supports the $patch, $deleteFromPrimitiveList and
// $setElementOrder directives in their common forms.
import type { JsonObject } from '../types.ts';
import { clone, isRecord } from '../types.ts';

/** Field name -> merge key, from the patchMergeKey tags of the core and apps types. */
export const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', imagePullSecrets: 'name', conditions: 'type',
  ownerReferences: 'uid', hostAliases: 'ip', topologySpreadConstraints: 'topologyKey', resourceClaims: 'name',
};

/** Lists of primitives declared with patchStrategy merge. */
export const PRIMITIVE_MERGE = new Set(['finalizers']);

function portKey(field: string, parent: string): string | undefined {
  if (field !== 'ports') return undefined;
  // Service ports merge by port, container ports by containerPort.
  return parent === 'spec' ? 'port' : 'containerPort';
}

export function strategicMergePatch(target: unknown, patch: unknown, field = ''): unknown {
  if (!isRecord(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const name = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set(Array.isArray(value) ? value : []);
      const cur = out[name];
      if (Array.isArray(cur)) out[name] = cur.filter((v) => !drop.has(v));
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const mergeKey = MERGE_KEYS[key] ?? portKey(key, field);
    if (Array.isArray(value) && mergeKey) out[key] = mergeList(out[key], value, mergeKey, key);
    else if (Array.isArray(value) && PRIMITIVE_MERGE.has(key)) {
      const cur = Array.isArray(out[key]) ? (out[key] as unknown[]) : [];
      out[key] = [...cur, ...value.filter((v) => !cur.includes(v))];
    } else {
      const merged = strategicMergePatch(out[key], value, key);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    }
  }
  return out;
}

function mergeList(target: unknown, patch: unknown[], mergeKey: string, field: string): unknown[] {
  const out = Array.isArray(target) ? [...(target as unknown[])] : [];
  if (patch.some((p) => isRecord(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isRecord(p) && p.$patch === 'replace')).map((p) => clone(p));
  }
  for (const item of patch) {
    if (!isRecord(item)) continue;
    const i = out.findIndex((o) => isRecord(o) && o[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMergePatch(out[i], item, field);
    else out.push(strategicMergePatch({}, item, field));
  }
  return out;
}
