// The part of server-side apply that a single field manager observes: the applied
// configuration is merged over the live object, and fields this manager applied before but
// leaves out now are removed. Ownership conflicts between managers are not tracked.
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
}
