/**
 * Copies of values state keeps that functions may change in place. Only plain data can be
 * copied without changing what it is (structuredClone turns a class instance into a plain
 * object); anything else is kept as it is, and its functions must not change it in place.
 */
export function isPlainData(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(v) || v instanceof Map || v instanceof Set;
}

export function copyIfPlainData<T>(v: T): T {
  return typeof v === 'object' && v !== null && isPlainData(v) ? structuredClone(v) : v;
}
