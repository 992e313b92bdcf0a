// The JSONPath subset CRD printer columns use (k8s.io/client-go/util/jsonpath without the
// braces): fields, quoted fields, indexes, [*], and [?(@.field=="value")] filters.

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

function parseValue(text: string): unknown {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  const n = Number(t);
  return Number.isNaN(n) ? t : n;
}

export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  let i = path.startsWith('{') && path.endsWith('}') ? 1 : 0;
  const end = i === 1 ? path.length - 1 : path.length;
  while (i < end) {
    const c = path[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < end && path[j] !== '.' && path[j] !== '[') j++;
      if (j > i) steps.push({ kind: 'field', name: path.slice(i, j) });
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', path[i + 1] === '?' ? path.indexOf(')', i) : i);
      if (close < 0) throw new Error(`unterminated [ in ${path}`);
      const inner = path.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^['"].*['"]$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[^.=!]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath ${path}`);
        steps.push({ kind: 'filter', path: m[1]!.slice(1).split('.'), op: m[2] as '==' | '!=', value: parseValue(m[3]!) });
      }
    } else {
      // A leading field without a dot.
      let j = i;
      while (j < end && path[j] !== '.' && path[j] !== '[') j++;
      steps.push({ kind: 'field', name: path.slice(i, j) });
      i = j;
    }
  }
  return steps;
}

function get(value: unknown, field: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[field] : undefined;
}

/** Every value the path selects in `root`, in order. */
export function findResults(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === 'field') {
        const f = get(v, step.name);
        if (f !== undefined) next.push(f);
      } else if (step.kind === 'index') {
        if (Array.isArray(v)) {
          const item = v[step.index < 0 ? v.length + step.index : step.index];
          if (item !== undefined) next.push(item);
        }
      } else if (step.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object' && v !== null) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          const got = step.path.reduce<unknown>((acc, f) => get(acc, f), item);
          if ((got === step.value) === (step.op === '==')) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
