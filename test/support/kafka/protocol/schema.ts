// A small schema language for Kafka messages, after the JSON message definitions in Apache
// Kafka (clients/src/main/resources/common/message): each field has the versions it exists
// in and those in which it may be null; one schema reads and writes every version, classic
// or flexible. A struct's TypeScript type follows from its fields.
import { ProtocolError } from './reader.ts';
import type { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

/** "3+", "2-7" or "5", as in Kafka's message definitions. */
export type Versions = `${number}+` | `${number}-${number}` | `${number}`;

interface Range {
  min: number;
  max: number;
}

export function parseVersions(v: Versions): Range {
  if (v.endsWith('+')) return { min: Number(v.slice(0, -1)), max: Number.POSITIVE_INFINITY };
  const [lo, hi] = v.split('-');
  return { min: Number(lo), max: Number(hi ?? lo) };
}

const within = (r: Range | null, v: number): boolean => r !== null && v >= r.min && v <= r.max;

/** How a value is laid out on the wire, whatever version it appears in. */
export interface Type<T> {
  read(r: Reader, version: number, flexible: boolean, nullable: boolean): T;
  write(w: Writer, value: T, version: number, flexible: boolean, nullable: boolean): void;
}

/** A field of a struct: its type, the versions it exists in, and its value where it does not. */
export interface Field<T> {
  readonly type: Type<T>;
  readonly versions: Range;
  readonly nullable: Range | null;
  readonly absent: T;
}

type Fields = Record<string, Field<unknown>>;
export type StructOf<F> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

function nullCheck(value: unknown, nullable: boolean, what: string): void {
  if (value === null && !nullable) throw new Error(`${what} is null in a version where it may not be`);
}

const int8: Type<number> = { read: (r) => r.int8(), write: (w, v) => void w.int8(v) };
const int16: Type<number> = { read: (r) => r.int16(), write: (w, v) => void w.int16(v) };
const int32: Type<number> = { read: (r) => r.int32(), write: (w, v) => void w.int32(v) };
const int64: Type<number> = { read: (r) => r.int64(), write: (w, v) => void w.int64(v) };
const bool: Type<boolean> = { read: (r) => r.bool(), write: (w, v) => void w.bool(v) };
const uuid: Type<string> = { read: (r) => r.uuid(), write: (w, v) => void w.uuid(v) };

const stringType: Type<string | null> = {
  read(r, _v, flexible, nullable) {
    const s = r.nullableString(flexible);
    if (s === null && !nullable) throw new ProtocolError('null string in a version where it may not be null');
    return s;
  },
  write(w, value, _v, flexible, nullable) {
    nullCheck(value, nullable, 'string');
    w.string(value, flexible);
  },
};

const bytesType: Type<Buffer | null> = {
  read(r, _v, flexible, nullable) {
    const b = r.nullableBytes(flexible);
    if (b === null && !nullable) throw new ProtocolError('null bytes in a version where they may not be null');
    return b;
  },
  write(w, value, _v, flexible, nullable) {
    nullCheck(value, nullable, 'bytes');
    w.bytes(value, flexible);
  },
};

/** Record batches: bytes whose content may be given as several buffers when written. */
const recordsType: Type<Buffer | Buffer[] | null> = {
  read: (r, _v, flexible) => r.nullableBytes(flexible),
  write(w, value, _v, flexible) {
    if (Array.isArray(value)) w.bytesOf(value, flexible);
    else w.bytes(value, flexible);
  },
};

function arrayType<T>(item: Type<T>): Type<T[] | null> {
  return {
    read(r, version, flexible, nullable) {
      const a = r.nullableArray((x) => item.read(x, version, flexible, false), flexible);
      if (a === null && !nullable) throw new ProtocolError('null array in a version where it may not be null');
      return a;
    },
    write(w, value, version, flexible, nullable) {
      nullCheck(value, nullable, 'array');
      w.arrayLength(value === null ? null : value.length, flexible);
      for (const v of value ?? []) item.write(w, v, version, flexible, false);
    },
  };
}

/** Element types for arrays of primitives. */
export const t = { int8, int16, int32, int64, bool, uuid, string: stringType as Type<string> };

export interface Struct<T> extends Type<T> {
  readonly fields: Fields;
}

/** The decoded (or to-be-encoded) value of a schema. */
export type Infer<S> = S extends Struct<infer T> ? T : never;

export function struct<F extends Fields>(fields: F): Struct<StructOf<F>> {
  const entries = Object.entries(fields) as [string, Field<unknown>][];
  return {
    fields,
    read(r, version, flexible) {
      const out: Record<string, unknown> = {};
      for (const [name, f] of entries) {
        out[name] = within(f.versions, version) ? f.type.read(r, version, flexible, within(f.nullable, version)) : f.absent;
      }
      if (flexible) r.skipTaggedFields();
      return out as StructOf<F>;
    },
    write(w, value, version, flexible) {
      const obj = value as Record<string, unknown>;
      for (const [name, f] of entries) {
        if (!within(f.versions, version)) continue;
        const v = obj[name];
        if (v === undefined) throw new Error(`field ${name} has no value`);
        f.type.write(w, v, version, flexible, within(f.nullable, version));
      }
      if (flexible) w.noTaggedFields();
    },
  };
}

function field<T>(type: Type<T>, versions: Versions, absent: T, nullable: Versions | null = null): Field<T> {
  return { type, versions: parseVersions(versions), nullable: nullable === null ? null : parseVersions(nullable), absent };
}

// Field builders. `absent` is the value a decoded request carries for a field its version
// lacks (Kafka's "default"); responses simply leave such fields out.
export const f = {
  int8: (v: Versions, absent = 0) => field(int8, v, absent),
  int16: (v: Versions, absent = 0) => field(int16, v, absent),
  int32: (v: Versions, absent = 0) => field(int32, v, absent),
  int64: (v: Versions, absent = 0) => field(int64, v, absent),
  bool: (v: Versions, absent = false) => field(bool, v, absent),
  uuid: (v: Versions) => field(uuid, v, '0'.repeat(32)),
  string: (v: Versions, absent = '') => field(stringType as Type<string>, v, absent),
  nullableString: (v: Versions, nullable: Versions = v, absent: string | null = null) => field(stringType, v, absent, nullable),
  bytes: (v: Versions) => field(bytesType as Type<Buffer>, v, Buffer.alloc(0)),
  nullableBytes: (v: Versions, nullable: Versions = v) => field(bytesType, v, null, nullable),
  records: (v: Versions) => field(recordsType, v, null, v),
  array: <T>(v: Versions, item: Type<T>) => field(arrayType(item) as Type<T[]>, v, []),
  nullableArray: <T>(v: Versions, item: Type<T>, nullable: Versions = v, absent: T[] | null = null) => field(arrayType(item), v, absent, nullable),
};

/** Reads a whole message body of `version`; flexible versions end with a tagged-field section. */
export function readMessage<T>(schema: Struct<T>, r: Reader, version: number, flexible: boolean): T {
  return schema.read(r, version, flexible, false);
}

export function writeMessage<T>(schema: Struct<T>, w: Writer, value: T, version: number, flexible: boolean): Writer {
  schema.write(w, value, version, flexible, false);
  return w;
}
