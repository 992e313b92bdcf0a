/**
 * Rolling and windowed sum/min/max/minBy/maxBy, as Flink's: sum, min and max change one
 * field and keep the other fields of the first record; minBy/maxBy keep the whole record
 * holding the extreme value (the first one on ties, unless `first` is false).
 */
import type { ReduceFunction } from './functions.ts';

/** A property name of an object record, an index of an array record, or nothing for numbers. */
export type FieldRef = string | number | undefined;

function read(value: unknown, field: FieldRef): number {
  const v = field === undefined ? value : (value as Record<string | number, unknown>)[field];
  if (typeof v !== 'number') {
    throw new TypeError(`aggregation field ${field === undefined ? '(the record itself)' : JSON.stringify(field)} is not a number: got ${typeof v}`);
  }
  return v;
}

function withField<T>(record: T, field: FieldRef, value: number): T {
  if (field === undefined) return value as T;
  if (Array.isArray(record)) {
    const copy = record.slice();
    copy[field as number] = value;
    return copy as T;
  }
  return { ...(record as object), [field]: value } as T;
}

export type AggregationKind = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

export function aggregationReducer<T>(kind: AggregationKind, field: FieldRef, first = true): ReduceFunction<T> {
  switch (kind) {
    case 'sum':
      return (a, b) => withField(a, field, read(a, field) + read(b, field));
    case 'min':
      return (a, b) => {
        const x = read(a, field);
        const y = read(b, field);
        return y < x ? withField(a, field, y) : a;
      };
    case 'max':
      return (a, b) => {
        const x = read(a, field);
        const y = read(b, field);
        return y > x ? withField(a, field, y) : a;
      };
    case 'minBy':
      return (a, b) => {
        const x = read(a, field);
        const y = read(b, field);
        return y < x || (!first && y === x) ? b : a;
      };
    case 'maxBy':
      return (a, b) => {
        const x = read(a, field);
        const y = read(b, field);
        return y > x || (!first && y === x) ? b : a;
      };
  }
}
