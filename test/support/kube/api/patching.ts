// PATCH: apply a JSON, merge, strategic-merge or apply patch to the stored object, then
// write the result through the ordinary update path (so resourceVersion preconditions,
// status rules and validation all hold).
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, notFound, unsupportedMediaType } from '../errors.ts';
import { applyConflicts, removeDropped } from '../patch/apply.ts';
import type { FieldConflict } from '../patch/apply.ts';
import { jsonPatch } from '../patch/json-patch.ts';
import { mergePatch } from '../patch/merge.ts';
import { strategicMergePatch } from '../patch/strategic.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupResource, groupVersion } from '../resources/types.ts';
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

/** The 409 of a conflicting apply, worded like the real field manager's. */
function applyConflictError(rt: ResourceType, name: string, conflicts: FieldConflict[]): ApiError {
  const gv = groupVersion(rt);
  const n = conflicts.length;
  const managers = [...new Set(conflicts.map((c) => c.manager))];
  const message = n === 1
    ? `Apply failed with 1 conflict: conflict with "${conflicts[0]!.manager}" using ${gv}: ${conflicts[0]!.field}`
    : `Apply failed with ${n} conflicts: ${managers.map((m) => `conflicts with "${m}" using ${gv}:\n${conflicts.filter((c) => c.manager === m).map((c) => `- ${c.field}`).join('\n')}`).join('\n')}`;
  const details = groupResource(rt);
  return new ApiError(409, 'Conflict', message, {
    name, ...(details.group ? { group: details.group } : {}), kind: details.resource,
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${gv}`, field: c.field })),
  });
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
    // Server-side apply among appliers (see patch/apply.ts).
    const manager = `${opts.fieldManager}${opts.subresource ? `/${opts.subresource}` : ''}`;
    if (!stored) {
      if (opts.subresource) throw notFound(groupResource(rt), name);
      const meta = isRecord(body.metadata) ? body.metadata : {};
      const created = create(ctx, rt, ns, { ...body, metadata: { ...meta, name } }, opts);
      if (!opts.dryRun) ctx.applied.set(created.metadata.uid ?? '', manager, clone(body));
      return created;
    }
    const uid = stored.metadata.uid ?? '';
    const conflicts = applyConflicts(ctx.applied, uid, manager, body);
    if (conflicts.length > 0 && !opts.force) throw applyConflictError(rt, name, conflicts);
    if (!opts.dryRun) ctx.applied.release(uid, conflicts);
    const merged = rt.custom ? mergePatch(present(stored, rt), body) : strategicMergePatch(present(stored, rt), body);
    const prev = ctx.applied.get(uid, manager);
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
