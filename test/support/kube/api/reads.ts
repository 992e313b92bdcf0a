// GET and LIST: selectors, limit/continue paging, and the list envelope with the
// collection's resourceVersion.
import { badRequest, gone } from '../errors.ts';
import { checkFieldSelector } from '../resources/field-labels.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupVersion } from '../resources/types.ts';
import { fieldSelector, labelSelector } from '../store/selectors.ts';
import type { JsonObject } from '../types.ts';
import type { Ctx } from './context.ts';
import { present, storageKey } from './context.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

interface Token {
  rv: number;
  start: string;
}

function decodeToken(s: string): Token {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64').toString('utf8')) as Token;
    if (typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad token');
    return t;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export function list(ctx: Ctx, rt: ResourceType, ns: string | undefined, opts: ListOptions = {}): JsonObject {
  checkFieldSelector(rt, opts.fieldSelector, rt.selectableFields);
  const lsel = labelSelector(opts.labelSelector);
  const fsel = fieldSelector(opts.fieldSelector);
  let items = ctx.store.list(storageKey(rt), rt.namespaced ? ns : undefined).filter((o) => lsel(o) && fsel(o));
  let rv = ctx.store.currentRv();
  if (opts.continue) {
    const token = decodeToken(opts.continue);
    if (token.rv < ctx.store.history.compactedThrough) {
      throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    rv = token.rv;
    items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}` > token.start);
  }
  const metadata: JsonObject = { resourceVersion: String(rv) };
  if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
    const last = items[opts.limit - 1]!;
    metadata.continue = Buffer.from(JSON.stringify({ rv, start: `${last.metadata.namespace ?? ''}/${last.metadata.name ?? ''}` })).toString('base64');
    metadata.remainingItemCount = items.length - opts.limit;
    items = items.slice(0, opts.limit);
  }
  return {
    kind: rt.listKind,
    apiVersion: groupVersion(rt),
    metadata,
    // Built-in list items come without apiVersion/kind from the real server; custom resources keep them.
    items: items.map((o) => {
      const p: JsonObject = present(o, rt);
      if (!rt.custom) {
        delete p.apiVersion;
        delete p.kind;
      }
      return p;
    }),
  };
}
