// Server-side printing: a GET, LIST or watch asked for `as=Table` in its Accept header (what
// `kubectl get` sends) is answered with a meta.k8s.io Table: the columns of the kind (built-in
// printers, a CRD's additionalPrinterColumns) and one row of cells per object, with the object
// itself, its metadata only (the default) or nothing, as includeObject says.
import type { ResourceType } from '../resources/types.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { BUILTIN_PRINTERS, defaultPrinter } from './builtin-printers.ts';
import { humanDuration } from './human-duration.ts';
import { findResults } from './jsonpath.ts';
import type { Column, Printer } from './printer.ts';
import { NAME, column } from './printer.ts';

/** The Table version an Accept header asks for (`application/json;as=Table;v=v1;g=meta.k8s.io`), if any. */
export function tableVersion(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(part.split(';').slice(1).map((p) => p.trim().split('=') as [string, string]));
    if (params.get('as') !== 'Table' || params.get('g') !== 'meta.k8s.io') continue;
    const v = params.get('v');
    if (v === 'v1' || v === 'v1beta1') return v;
  }
  return undefined;
}

/** A cell as the apiextensions table convertor makes it from a JSON value. */
function cell(type: string, value: unknown, now: number): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'integer': return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number': return typeof value === 'number' ? value : null;
    case 'boolean': return typeof value === 'boolean' ? value : null;
    case 'date': {
      const t = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default: return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** A custom resource's columns: Name, then its additionalPrinterColumns (or Age when it has none). */
function customPrinter(rt: ResourceType): Printer {
  const defs = rt.printerColumns && rt.printerColumns.length > 0 ? rt.printerColumns : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0 }];
  const columns: Column[] = [NAME, ...defs.map((c) => column(c.name, c.type, c.priority ?? 0, c.description ?? '', c.format))];
  return {
    columns,
    cells: (o, now) => [o.metadata.name, ...defs.map((c) => cell(c.type, findResults(o, c.jsonPath)[0], now))],
  };
}

export function printerFor(rt: ResourceType): Printer {
  if (rt.custom) return customPrinter(rt);
  return BUILTIN_PRINTERS[`${rt.group}/${rt.plural}`] ?? defaultPrinter;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectParam(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function rowObject(o: KubeObject, include: IncludeObject, version: string): JsonObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata };
}

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  /** Leave the column definitions out (later events of a watch). */
  noHeaders?: boolean;
  now?: number;
}

export function toTable(rt: ResourceType, objects: readonly KubeObject[], listMeta: JsonObject, opts: TableOptions): JsonObject {
  const printer = printerFor(rt);
  const now = opts.now ?? Date.now();
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: listMeta,
    columnDefinitions: opts.noHeaders ? [] : printer.columns,
    rows: objects.map((o) => {
      const row: JsonObject = { cells: printer.cells(o, now) };
      const object = rowObject(o, opts.includeObject, opts.version);
      if (object) row.object = object;
      return row;
    }),
  };
}
