// Server-side apply among appliers: the applied configuration is merged over the live
// object, fields a manager applied before but leaves out now are removed, and applying a
// different value to a field another applier set is a conflict unless forced (which moves
// the field to the new manager). Ownership taken by plain updates is not tracked.
import type { JsonObject } from '../types.ts';
import { isRecord } from '../types.ts';

const LIST_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', env: 'name', volumes: 'name', volumeMounts: 'mountPath', ports: 'containerPort',
  conditions: 'type', ownerReferences: 'uid', imagePullSecrets: 'name',
};

/** Removes from `live` what `prev` applied and `next` no longer does. */
export function removeDropped(live: unknown, prev: unknown, next: unknown, field = ''): void {
  if (isRecord(live) && isRecord(prev)) {
    const nextRec: JsonObject = isRecord(next) ? next : {};
    for (const key of Object.keys(prev)) {
      if (!(key in nextRec)) delete live[key];
      else removeDropped(live[key], prev[key], nextRec[key], key);
    }
    return;
  }
  const key = LIST_KEYS[field];
  if (key && Array.isArray(live) && Array.isArray(prev)) {
    const nextList = Array.isArray(next) ? next.filter(isRecord) : [];
    for (const item of prev.filter(isRecord)) {
      const still = nextList.find((n) => n[key] === item[key]);
      const idx = live.findIndex((l) => isRecord(l) && l[key] === item[key]);
      if (idx < 0) continue;
      if (!still) live.splice(idx, 1);
      else removeDropped(live[idx], item, still);
    }
  }
}

/** Leaf paths of an applied configuration in managed-fields notation, with their values. */
export function leaves(config: unknown, path = '', field = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (isRecord(config)) {
    for (const [k, v] of Object.entries(config)) {
      if (path === '' && (k === 'apiVersion' || k === 'kind')) continue;
      if (path === '.metadata' && (k === 'name' || k === 'namespace')) continue;
      leaves(v, `${path}.${k}`, k, out);
    }
    return out;
  }
  const key = LIST_KEYS[field];
  if (key && Array.isArray(config) && config.every((i) => isRecord(i) && i[key] !== undefined)) {
    for (const item of config as JsonObject[]) leaves(item, `${path}[${key}=${JSON.stringify(item[key])}]`, '', out);
    return out;
  }
  out.set(path, config);
  return out;
}

export interface FieldConflict {
  manager: string;
  field: string;
}

/** Fields of `config` that another applier set to a different value. */
export function applyConflicts(configs: AppliedConfigs, uid: string, manager: string, config: JsonObject): FieldConflict[] {
  const mine = leaves(config);
  const out: FieldConflict[] = [];
  for (const [other, theirs] of configs.forObject(uid)) {
    if (other === manager) continue;
    for (const [field, value] of leaves(theirs)) {
      if (mine.has(field) && JSON.stringify(mine.get(field)) !== JSON.stringify(value)) out.push({ manager: other, field });
    }
  }
  return out;
}

/** Last configuration applied per object and field manager. */
export class AppliedConfigs {
  private readonly configs = new Map<string, JsonObject>();

  private key(uid: string, manager: string): string {
    return `${uid}\u0000${manager}`;
  }

  get(uid: string, manager: string): JsonObject | undefined {
    return this.configs.get(this.key(uid, manager));
  }

  set(uid: string, manager: string, config: JsonObject): void {
    this.configs.set(this.key(uid, manager), config);
  }

  forObject(uid: string): [string, JsonObject][] {
    const prefix = `${uid}\u0000`;
    return [...this.configs.entries()].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]);
  }

  /** A forced apply takes these fields: they leave the other managers' configurations. */
  release(uid: string, conflicts: FieldConflict[]): void {
    for (const c of conflicts) {
      const config = this.get(uid, c.manager);
      if (!config) continue;
      const kept = [...leaves(config).keys()].filter((f) => f !== c.field);
      if (kept.length === 0) this.configs.delete(this.key(uid, c.manager));
      else removePath(config, c.field);
    }
  }
}

/** Deletes one leaf (managed-fields notation) from a configuration. */
function removePath(config: JsonObject, field: string): void {
  const parts = field.match(/\.[^.[]+|\[[^\]]+\]/g) ?? [];
  let cur: unknown = config;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part.startsWith('.') && isRecord(cur)) {
      if (last) delete cur[part.slice(1)];
      else cur = cur[part.slice(1)];
    } else if (part.startsWith('[') && Array.isArray(cur)) {
      const m = /^\[([^=]+)=(.*)\]$/.exec(part);
      if (!m) return;
      const idx = cur.findIndex((item) => isRecord(item) && JSON.stringify(item[m[1]!]) === m[2]);
      if (idx < 0) return;
      if (last) cur.splice(idx, 1);
      else cur = cur[idx];
    } else {
      return;
    }
  }
}
