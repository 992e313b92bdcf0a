// PATCH: apply a JSON, merge, strategic-merge or apply patch to the stored object, then
// write the result through the ordinary update path (so resourceVersion preconditions,
// status rules and validation all hold).
import { parse as parseYaml } from 'yaml';
import { badRequest, notFound, unsupportedMediaType } from '../errors.ts';
import { removeDropped } from '../patch/apply.ts';
import { jsonPatch } from '../patch/json-patch.ts';
import { mergePatch } from '../patch/merge.ts';
import { strategicMergePatch } from '../patch/strategic.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupResource } from '../resources/types.ts';
import type { KubeObject } from '../types.ts';
import { clone, isRecord } from '../types.ts';
import type { Ctx } from './context.ts';
import { present, storageKey } from './context.ts';
import type { WriteOptions } from './write.ts';
import { create, update } from './write.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export interface PatchOptions extends WriteOptions {
  fieldManager?: string;
  force?: boolean;
}

function accepted(rt: ResourceType): string[] {
  return rt.custom ? [JSON_PATCH, MERGE_PATCH, APPLY_PATCH] : [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH];
}

function parseBody(raw: string, contentType: string): unknown {
  try {
    return contentType === APPLY_PATCH ? parseYaml(raw) : JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

export function patch(
  ctx: Ctx, rt: ResourceType, ns: string, name: string, contentType: string, raw: string, opts: PatchOptions = {},
): KubeObject {
  const type = contentType.split(';')[0]!.trim();
  if (!accepted(rt).includes(type)) throw unsupportedMediaType(accepted(rt));
  const body = parseBody(raw, type);
  const stored = ctx.store.get(storageKey(rt), rt.namespaced ? ns : '', name);
  if (type === APPLY_PATCH) {
    if (!opts.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager parameter');
    if (!isRecord(body)) throw badRequest('error decoding YAML: object expected');
    // Server-side apply as one manager sees it (see patch/apply.ts); no ownership conflicts.
    const manager = `${opts.fieldManager}${opts.subresource ? `/${opts.subresource}` : ''}`;
    if (!stored) {
      if (opts.subresource) throw notFound(groupResource(rt), name);
      const meta = isRecord(body.metadata) ? body.metadata : {};
      const created = create(ctx, rt, ns, { ...body, metadata: { ...meta, name } }, opts);
      if (!opts.dryRun) ctx.applied.set(created.metadata.uid ?? '', manager, clone(body));
      return created;
    }
    const merged = rt.custom ? mergePatch(present(stored, rt), body) : strategicMergePatch(present(stored, rt), body);
    const prev = ctx.applied.get(stored.metadata.uid ?? '', manager);
    if (prev) removeDropped(merged, prev, body);
    const out = update(ctx, rt, ns, name, merged, opts);
    if (!opts.dryRun) ctx.applied.set(stored.metadata.uid ?? '', manager, clone(body));
    return out;
  }
  if (!stored) throw notFound(groupResource(rt), name);
  const current = present(stored, rt);
  let next: unknown;
  if (type === JSON_PATCH) next = jsonPatch(current, body);
  else if (type === MERGE_PATCH) next = mergePatch(current, body);
  else next = strategicMergePatch(current, body);
  return update(ctx, rt, ns, name, next, opts);
}
