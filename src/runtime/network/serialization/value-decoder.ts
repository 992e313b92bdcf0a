/**
 * Decodes what ValueEncoder wrote. Shapes (key lists) are numbered per batch: call
 * beginBatch before each batch's values.
 */
import type { BufferReader } from './buffer-reader.ts';
import { corruptFrame } from './buffer-reader.ts';
import * as T from './tags.ts';

interface Shape {
  keys: string[];
  /** `__proto__` as an own key must be defined, not assigned (assigning sets the prototype). */
  hasProtoKey: boolean;
}

export class ValueDecoder {
  private shapes: Shape[] = [];

  beginBatch(): void {
    this.shapes.length = 0;
  }

  decode(r: BufferReader, depth: number): unknown {
    const tag = r.u8();
    switch (tag) {
      case T.T_UNDEFINED:
        return undefined;
      case T.T_NULL:
        return null;
      case T.T_FALSE:
        return false;
      case T.T_TRUE:
        return true;
      case T.T_INT:
        return r.varint32();
      case T.T_FLOAT:
        return r.f64();
      case T.T_STRING:
        return r.string();
      case T.T_BIGINT_POS:
      case T.T_BIGINT_NEG:
        return this.bigint(r, tag === T.T_BIGINT_NEG);
      case T.T_DATE:
        return new Date(r.f64());
      case T.T_BUFFER:
        return r.bytes(r.varuint());
      case T.T_UINT8ARRAY: {
        // Its own ArrayBuffer: a pooled Buffer would expose unrelated bytes via .buffer.
        const n = r.varuint();
        r.need(n);
        const u = new Uint8Array(n);
        u.set(r.buf.subarray(r.pos, r.pos + n));
        r.pos += n;
        return u;
      }
      case T.T_ARRAY:
        return this.array(r, depth);
      case T.T_MAP:
        return this.map(r, depth);
      case T.T_SET: {
        const n = this.count(r);
        const s = new Set<unknown>();
        for (let i = 0; i < n; i++) s.add(this.decode(r, this.deeper(depth)));
        return s;
      }
      case T.T_OBJECT_NEW_SHAPE:
        return this.object(r, this.readShape(r), depth);
      case T.T_OBJECT_SHAPE: {
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
    if (depth >= T.MAX_DEPTH) throw corruptFrame(`values nested deeper than ${T.MAX_DEPTH}`);
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
    let hasProtoKey = false;
    for (let i = 0; i < n; i++) {
      const k = r.string();
      if (k === '__proto__') hasProtoKey = true;
      keys[i] = k;
    }
    const shape = { keys, hasProtoKey };
    this.shapes.push(shape);
    return shape;
  }

  private object(r: BufferReader, shape: Shape, depth: number): Record<string, unknown> {
    const d = this.deeper(depth);
    const o: Record<string, unknown> = {};
    const keys = shape.keys;
    if (shape.hasProtoKey) {
      for (let i = 0; i < keys.length; i++) {
        Object.defineProperty(o, keys[i]!, { value: this.decode(r, d), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    for (let i = 0; i < keys.length; i++) o[keys[i]!] = this.decode(r, d);
    return o;
  }
}
