// What every API operation needs: the store, the resource registry, and helpers to read
// objects in the shape of the version that was asked for.
import { forbidden, notFound } from '../errors.ts';
import type { AppliedConfigs } from '../patch/apply.ts';
import type { Registry } from '../resources/registry.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupResource, groupVersion } from '../resources/types.ts';
import type { Store } from '../store/store.ts';
import type { KubeObject } from '../types.ts';
import { clone, isRecord } from '../types.ts';

export interface Ctx {
  store: Store;
  registry: Registry;
  applied: AppliedConfigs;
}

export function storageKey(rt: ResourceType): string {
  return `${rt.group}/${rt.plural}`;
}

/** A copy of a stored object as the requested version presents it. */
export function present(obj: KubeObject, rt: ResourceType): KubeObject {
  const out = clone(obj);
  out.apiVersion = groupVersion(rt);
  out.kind = rt.kind;
  return out;
}

export function mustGet(ctx: Ctx, rt: ResourceType, ns: string, name: string): KubeObject {
  const obj = ctx.store.get(storageKey(rt), rt.namespaced ? ns : '', name);
  if (!obj) throw notFound(groupResource(rt), name);
  return obj;
}

/** Creation in a namespace needs the namespace to exist and not be terminating. */
export function checkNamespace(ctx: Ctx, rt: ResourceType, ns: string): void {
  if (!rt.namespaced) return;
  const nsObj = ctx.store.get('/namespaces', '', ns);
  if (!nsObj) throw notFound({ group: '', resource: 'namespaces' }, ns);
  const status = isRecord(nsObj.status) ? nsObj.status : {};
  if (nsObj.metadata.deletionTimestamp || status.phase === 'Terminating') {
    throw forbidden(groupResource(rt), '', `unable to create new content in namespace ${ns} because it is being terminated`);
  }
}
