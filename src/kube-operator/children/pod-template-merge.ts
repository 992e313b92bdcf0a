/**
 * Merges the user's pod template under the operator's pod: the user's template is the base,
 * the operator's fields win where both set one, and lists of named things (containers,
 * volumes, env, ports, volumeMounts) merge by name, so a user can add sidecars, volumes or
 * env entries and tune the main container without replacing it.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNamedList(v: unknown): v is JsonObject[] {
  return Array.isArray(v) && v.length > 0 && v.every((e) => isObject(e) && typeof e.name === 'string');
}

function mergeNamed(base: JsonObject[], over: JsonObject[]): JsonObject[] {
  const out = base.map((e) => ({ ...e }));
  for (const o of over) {
    const i = out.findIndex((e) => e.name === o.name);
    if (i === -1) out.push(o);
    else out[i] = mergeJson(out[i]!, o) as JsonObject;
  }
  return out;
}

/** `over` wins; objects merge recursively; named lists merge by name; other lists are replaced. */
export function mergeJson(base: unknown, over: unknown): Json {
  if (over === undefined) return base as Json;
  if (isObject(base) && isObject(over)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeJson(base[k], v) : v;
    return out;
  }
  if (isNamedList(over) && (isNamedList(base) || (Array.isArray(base) && base.length === 0))) return mergeNamed(base as JsonObject[], over);
  if (Array.isArray(over) && over.length === 0 && isNamedList(base)) return base;
  return over as Json;
}

/** The operator's pod template merged over the user's. */
export function mergePodTemplate<T>(userTemplate: Record<string, unknown> | undefined, operatorTemplate: T): T {
  if (!userTemplate) return operatorTemplate;
  return mergeJson(userTemplate, operatorTemplate) as T;
}
