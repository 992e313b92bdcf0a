/**
 * Decodes what ValueEncoder wrote. Shapes (key lists) are numbered per batch: call
 * beginBatch before each batch's values.
 */
import type { BufferReader } from './buffer-reader.ts';
import { corruptFrame } from './buffer-reader.ts';
import * as tags from './tags.ts';

// Module-local copies: imported bindings are read through getters when the loader
// turns ESM into CommonJS (tsx does), which costs more than the rest of a decode.
const { MAX_DEPTH, T_ARRAY, T_BIGINT_NEG, T_BIGINT_POS, T_BUFFER, T_DATE, T_FALSE, T_FLOAT, T_INT, T_MAP, T_NULL, T_OBJECT_NEW_SHAPE, T_OBJECT_SHAPE, T_SET, T_STRING, T_TRUE, T_UINT8ARRAY, T_UNDEFINED } = tags;

type ObjectFactory = (dec: ValueDecoder, r: BufferReader, depth: number) => Record<string, unknown>;

interface Shape {
  keys: string[];
  factory: ObjectFactory | undefined;
}

export class ValueDecoder {
  private shapes: Shape[] = [];

  beginBatch(): void {
    this.shapes.length = 0;
  }

  decode(r: BufferReader, depth: number): unknown {
    const tag = r.u8();
    switch (tag) {
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_INT:
        return r.varint32();
      case T_FLOAT:
        return r.f64();
      case T_STRING:
        return r.string();
      case T_BIGINT_POS:
      case T_BIGINT_NEG:
        return this.bigint(r, tag === T_BIGINT_NEG);
      case T_DATE:
        return new Date(r.f64());
      case T_BUFFER:
        return r.bytes(r.varuint());
      case T_UINT8ARRAY: {
        // Its own ArrayBuffer: a pooled Buffer would expose unrelated bytes via .buffer.
        const n = r.varuint();
        r.need(n);
        const u = new Uint8Array(n);
        u.set(r.buf.subarray(r.pos, r.pos + n));
        r.pos += n;
        return u;
      }
      case T_ARRAY:
        return this.array(r, depth);
      case T_MAP:
        return this.map(r, depth);
      case T_SET: {
        const n = this.count(r);
        const s = new Set<unknown>();
        for (let i = 0; i < n; i++) s.add(this.decode(r, this.deeper(depth)));
        return s;
      }
      case T_OBJECT_NEW_SHAPE:
        return this.object(r, this.readShape(r), depth);
      case T_OBJECT_SHAPE: {
        const id = r.varuint();
        const shape = this.shapes[id];
        if (shape === undefined) throw corruptFrame(`unknown object shape ${id} at offset ${r.pos}`);
        return this.object(r, shape, depth);
      }
      default:
        throw corruptFrame(`unknown value tag ${tag} at offset ${r.pos - 1}`);
    }
  }

  private deeper(depth: number): number {
    if (depth >= MAX_DEPTH) throw corruptFrame(`values nested deeper than ${MAX_DEPTH}`);
    return depth + 1;
  }

  /** An element count, checked against the bytes left (each element takes at least one). */
  private count(r: BufferReader): number {
    const n = r.varuint();
    if (n > r.remaining) throw corruptFrame(`count ${n} exceeds the ${r.remaining} bytes left at offset ${r.pos}`);
    return n;
  }

  private bigint(r: BufferReader, negative: boolean): bigint {
    const hex = r.string();
    if (!/^[0-9a-f]+$/.test(hex)) throw corruptFrame(`malformed bigint at offset ${r.pos}`);
    const v = BigInt('0x' + hex);
    return negative ? -v : v;
  }

  private array(r: BufferReader, depth: number): unknown[] {
    const n = this.count(r);
    const d = this.deeper(depth);
    const a: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) a[i] = this.decode(r, d);
    return a;
  }

  private map(r: BufferReader, depth: number): Map<unknown, unknown> {
    const n = this.count(r);
    const d = this.deeper(depth);
    const m = new Map<unknown, unknown>();
    for (let i = 0; i < n; i++) {
      const k = this.decode(r, d);
      m.set(k, this.decode(r, d));
    }
    return m;
  }

  private readShape(r: BufferReader): Shape {
    const n = this.count(r);
    const keys: string[] = new Array(n);
    for (let i = 0; i < n; i++) keys[i] = r.string();
    const shape = { keys, factory: factoryFor(keys) };
    this.shapes.push(shape);
    return shape;
  }

  private object(r: BufferReader, shape: Shape, depth: number): Record<string, unknown> {
    const d = this.deeper(depth);
    if (shape.factory) return shape.factory(this, r, d);
    const o: Record<string, unknown> = {};
    const keys = shape.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      // An own `__proto__` key must be defined: assigning it would set the prototype.
      if (k === '__proto__') Object.defineProperty(o, k, { value: this.decode(r, d), enumerable: true, writable: true, configurable: true });
      else o[k] = this.decode(r, d);
    }
    return o;
  }
}

/**
 * Builds objects of one shape from a generated object literal: V8 then creates them
 * with one fixed hidden class instead of growing each object key by key, which makes
 * decoding about twice as fast and the objects as fast to use as hand-written ones.
 * Compiled only for shapes seen in a second batch (objects used as dictionaries with
 * ever new keys would otherwise compile a function per batch), and cached, bounded.
 */
const factories = new Map<string, { batches: number; factory: ObjectFactory | undefined }>();
const MAX_FACTORIES = 2000;
const MAX_FACTORY_KEYS = 64;

function factoryFor(keys: string[]): ObjectFactory | undefined {
  if (keys.length > MAX_FACTORY_KEYS) return undefined;
  const id = keys.join('\u0000');
  const entry = factories.get(id);
  if (entry === undefined) {
    if (factories.size >= MAX_FACTORIES) factories.clear();
    factories.set(id, { batches: 1, factory: undefined });
    return undefined;
  }
  if (entry.factory === undefined && ++entry.batches >= 2) {
    // Keys are JSON string literals, so no key can inject code; a computed key keeps
    // `__proto__` an own property (a literal `"__proto__":` would set the prototype).
    const props = keys.map((k) => `${k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)}: dec.decode(r, d)`);
    entry.factory = new Function('dec', 'r', 'd', `return { ${props.join(', ')} };`) as ObjectFactory;
  }
  return entry.factory;
}
