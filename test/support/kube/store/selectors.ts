// Label and field selectors with the syntax of k8s.io/apimachinery labels.Parse and
// fields.ParseSelector.
import { badRequest } from '../errors.ts';
import type { KubeObject } from '../types.ts';
import { getPath } from '../types.ts';

export type Matcher = (obj: KubeObject) => boolean;

type Req = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside a parenthesised value set. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function parseLabelTerm(term: string): Req {
  let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const key = m[1]!;
    const values = new Set(m[3]!.split(',').map((v) => v.trim()));
    return m[2] === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
  }
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term);
  if (m) {
    const key = m[1]!;
    const value = m[3]!;
    return m[2] === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = /^(!?)([\w./-]+)$/.exec(term);
  if (m) {
    const key = m[2]!;
    return m[1] === '!' ? (l) => !(key in l) : (l) => key in l;
  }
  throw badRequest(`unable to parse requirement: invalid label selector: "${term}"`);
}

export function labelSelector(s: string | undefined): Matcher {
  if (!s) return () => true;
  const reqs = splitTerms(s).map(parseLabelTerm);
  return (obj) => reqs.every((r) => r(obj.metadata.labels ?? {}));
}

export function fieldSelector(s: string | undefined): Matcher {
  if (!s) return () => true;
  const reqs = splitTerms(s).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return (obj: KubeObject): boolean => {
      const raw = getPath(obj, path);
      const actual = raw === undefined || raw === null ? '' : String(raw);
      return op === '!=' ? actual !== value : actual === value;
    };
  });
  return (obj) => reqs.every((r) => r(obj));
}

/** Matches a metav1.LabelSelector object (matchLabels + matchExpressions), as controllers use. */
export function matchesLabelSelector(selector: unknown, labels: Record<string, string>): boolean {
  if (typeof selector !== 'object' || selector === null) return false;
  const sel = selector as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const ml = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return true;
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  return exprs.every((e) => {
    const has = e.key in labels;
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': return has && values.includes(labels[e.key]!);
      case 'NotIn': return !has || !values.includes(labels[e.key]!);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}
