// The API operations as one object, for controllers, the kubelet and tests that want to
// act on the server without HTTP. Everything goes through the same rules as requests.
import { AppliedConfigs } from '../patch/apply.ts';
import type { ResourceType } from '../resources/types.ts';
import type { Registry } from '../resources/registry.ts';
import type { Store } from '../store/store.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { badRequest } from '../errors.ts';
import type { Ctx } from './context.ts';
import { mustGet, present } from './context.ts';
import type { DeleteOptions, DeleteResult } from './delete.ts';
import { deleteObject } from './delete.ts';
import type { PatchOptions } from './patching.ts';
import { patch } from './patching.ts';
import type { ListOptions } from './reads.ts';
import { list } from './reads.ts';
import type { WriteOptions } from './write.ts';
import { create, update } from './write.ts';

export class KubeApi {
  readonly ctx: Ctx;

  constructor(readonly store: Store, readonly registry: Registry) {
    this.ctx = { store, registry, applied: new AppliedConfigs() };
  }

  type(apiVersion: string, kind: string): ResourceType {
    const rt = this.registry.byKind(apiVersion, kind);
    if (!rt) throw badRequest(`no matches for kind "${kind}" in version "${apiVersion}"`);
    return rt;
  }

  get(apiVersion: string, kind: string, ns: string, name: string): KubeObject {
    const rt = this.type(apiVersion, kind);
    return present(mustGet(this.ctx, rt, ns, name), rt);
  }

  tryGet(apiVersion: string, kind: string, ns: string, name: string): KubeObject | undefined {
    const rt = this.type(apiVersion, kind);
    const obj = this.store.get(`${rt.group}/${rt.plural}`, rt.namespaced ? ns : '', name);
    return obj ? present(obj, rt) : undefined;
  }

  list(apiVersion: string, kind: string, ns?: string, opts?: ListOptions): KubeObject[] {
    return list(this.ctx, this.type(apiVersion, kind), ns, opts).items as KubeObject[];
  }

  create(obj: KubeObject, opts?: WriteOptions): KubeObject {
    return create(this.ctx, this.type(obj.apiVersion, obj.kind), obj.metadata.namespace ?? '', obj, opts);
  }

  update(obj: KubeObject, opts?: WriteOptions): KubeObject {
    return update(this.ctx, this.type(obj.apiVersion, obj.kind), obj.metadata.namespace ?? '', obj.metadata.name ?? '', obj, opts);
  }

  updateStatus(obj: KubeObject): KubeObject {
    return this.update(obj, { subresource: 'status' });
  }

  patch(apiVersion: string, kind: string, ns: string, name: string, contentType: string, body: unknown, opts?: PatchOptions): KubeObject {
    return patch(this.ctx, this.type(apiVersion, kind), ns, name, contentType, JSON.stringify(body), opts);
  }

  delete(apiVersion: string, kind: string, ns: string, name: string, opts?: DeleteOptions): DeleteResult {
    return deleteObject(this.ctx, this.type(apiVersion, kind), ns, name, opts);
  }

  /** Loads objects (CRDs first), creating the namespaces they live in. */
  load(objects: JsonObject[]): void {
    const sorted = [...objects].sort((a, b) => Number(b.kind === 'CustomResourceDefinition') - Number(a.kind === 'CustomResourceDefinition'));
    for (const o of sorted) {
      const obj = o as KubeObject;
      if (this.type(obj.apiVersion, obj.kind).namespaced && !obj.metadata.namespace) obj.metadata.namespace = 'default';
      const ns = obj.metadata.namespace;
      if (ns && !this.tryGet('v1', 'Namespace', '', ns)) this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      this.create(obj);
    }
  }
}
