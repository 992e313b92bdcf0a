/**
 * Encodes record values. Supported: plain objects, arrays (holes become undefined),
 * strings, numbers (exact, including -0, NaN, ±Infinity), bigints, booleans, null,
 * undefined, Date, Buffer, Uint8Array, Map, Set, nested in any combination.
 *
 * Not preserved, by design: a class instance other than those is sent as a plain
 * object of its own enumerable string-keyed properties (its prototype and methods
 * stay behind, as with JSON); null-prototype objects arrive with Object.prototype;
 * symbol-keyed properties and extra properties of arrays are dropped. Functions,
 * symbols, other typed arrays, WeakMaps, Promises and circular references throw
 * UNSERIALIZABLE_RECORD naming the path of the value.
 *
 * Objects in a batch usually share a shape, so each key list is written once per
 * batch and later objects with the same keys carry only a shape number and values.
 * Shapes are found through a transition tree (like V8's hidden classes), which costs a
 * Map lookup per key and no allocation once the tree knows the shape.
 */
import type { BufferWriter } from './buffer-writer.ts';
import * as tags from './tags.ts';

// Module-local copies: imported bindings are read through getters when the loader
// turns ESM into CommonJS (tsx does), which costs more than the rest of a decode.
const { MAX_DEPTH, T_ARRAY, T_BIGINT_NEG, T_BIGINT_POS, T_BUFFER, T_DATE, T_FALSE, T_FLOAT, T_INT, T_MAP, T_NULL, T_OBJECT_NEW_SHAPE, T_OBJECT_SHAPE, T_SET, T_STRING, T_TRUE, T_UINT8ARRAY, T_UNDEFINED } = tags;

interface ShapeNode {
  children: Map<string, ShapeNode> | undefined;
  /** The batch in which `id` was assigned. */
  epoch: number;
  id: number;
  /** The keys leading here, set once an object of exactly this shape was seen. */
  keys: string[] | undefined;
}

/** Thrown inside the encoder; the element encoder turns it into a WeirError with a path. */
export class UnserializableValue extends Error {}

/** Bounds the tree when objects are used as dictionaries with ever new keys. */
const MAX_SHAPE_NODES = 20_000;

/** Depths that remember their last shape (records, and objects nested in them). */
const LAST_SHAPE_DEPTHS = 8;

const objectProto = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;

function newNode(): ShapeNode {
  return { children: undefined, epoch: -1, id: 0, keys: undefined };
}

export class ValueEncoder {
  private root = newNode();
  private lastShape: (ShapeNode | undefined)[] = [];
  private nodes = 0;
  private epoch = 0;
  private nextShapeId = 0;
  /** Whether Object.prototype has an enumerable property (someone added one). */
  private protoPolluted = false;

  /** Starts a new batch: shape numbers restart so each batch decodes on its own. */
  beginBatch(): void {
    this.epoch++;
    this.nextShapeId = 0;
    this.protoPolluted = false;
    for (const _ in {}) this.protoPolluted = true;
    if (this.nodes > MAX_SHAPE_NODES) {
      this.root = newNode();
      this.nodes = 0;
      this.lastShape = [];
    }
  }

  encode(w: BufferWriter, v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v && !Object.is(v, -0)) {
          w.u8(T_INT);
          w.varint32(v);
        } else {
          w.u8(T_FLOAT);
          w.f64(v);
        }
        return;
      case 'string':
        w.u8(T_STRING);
        w.string(v);
        return;
      case 'boolean':
        w.u8(v ? T_TRUE : T_FALSE);
        return;
      case 'undefined':
        w.u8(T_UNDEFINED);
        return;
      case 'bigint':
        w.u8(v < 0n ? T_BIGINT_NEG : T_BIGINT_POS);
        w.string((v < 0n ? -v : v).toString(16));
        return;
      case 'object':
        if (v === null) w.u8(T_NULL);
        else this.encodeObject(w, v, depth);
        return;
      default:
        throw new UnserializableValue(typeof v);
    }
  }

  private encodeObject(w: BufferWriter, v: object, depth: number): void {
    if (depth >= MAX_DEPTH) throw new UnserializableValue('depth');
    if (Array.isArray(v)) {
      const n = v.length;
      w.u8(T_ARRAY);
      w.varuint(n);
      for (let i = 0; i < n; i++) this.encode(w, v[i], depth + 1);
      return;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === objectProto || proto === null) return this.encodePlain(w, v as Record<string, unknown>, depth, proto !== null && this.protoPolluted);
    if (v instanceof Date) {
      w.u8(T_DATE);
      w.f64(v.getTime());
    } else if (v instanceof Uint8Array) {
      w.u8(Buffer.isBuffer(v) ? T_BUFFER : T_UINT8ARRAY);
      w.varuint(v.length);
      w.bytes(v);
    } else if (v instanceof Map) {
      w.u8(T_MAP);
      w.varuint(v.size);
      for (const [k, x] of v) {
        this.encode(w, k, depth + 1);
        this.encode(w, x, depth + 1);
      }
    } else if (v instanceof Set) {
      w.u8(T_SET);
      w.varuint(v.size);
      for (const x of v) this.encode(w, x, depth + 1);
    } else if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof WeakMap || v instanceof WeakSet || v instanceof Promise) {
      throw new UnserializableValue('unsupported');
    } else {
      this.encodePlain(w, v as Record<string, unknown>, depth, true);
    }
  }

  /** `checked`: the object may inherit enumerable keys, so each key is tested. */
  private encodePlain(w: BufferWriter, o: Record<string, unknown>, depth: number, checked: boolean): void {
    // for-in on a plain object visits exactly its own enumerable string keys, in the
    // order of Object.keys, without allocating the key array.
    const node = (!checked && this.sameShapeAsLast(o, depth)) || this.findShape(o, depth, checked);
    if (node.epoch === this.epoch) {
      w.u8(T_OBJECT_SHAPE);
      w.varuint(node.id);
    } else {
      node.epoch = this.epoch;
      node.id = this.nextShapeId++;
      w.u8(T_OBJECT_NEW_SHAPE);
      const keys = node.keys!;
      w.varuint(keys.length);
      for (let i = 0; i < keys.length; i++) w.string(keys[i]!);
    }
    for (const k in o) if (!checked || hasOwn.call(o, k)) this.encode(w, o[k], depth + 1);
  }

  /**
   * Records at one nesting depth usually repeat the previous shape there: comparing
   * keys with it (interned strings compare by pointer) skips the tree walk.
   */
  private sameShapeAsLast(o: Record<string, unknown>, depth: number): ShapeNode | undefined {
    const last = depth < LAST_SHAPE_DEPTHS ? this.lastShape[depth] : undefined;
    if (last === undefined) return undefined;
    const keys = last.keys!;
    let i = 0;
    for (const k in o) if (keys[i++] !== k) return undefined;
    return i === keys.length ? last : undefined;
  }

  private findShape(o: Record<string, unknown>, depth: number, checked: boolean): ShapeNode {
    let node = this.root;
    for (const k in o) {
      if (checked && !hasOwn.call(o, k)) continue;
      let next = node.children?.get(k);
      if (next === undefined) next = this.addChild(node, k);
      node = next;
    }
    if (node.keys === undefined) {
      const keys: string[] = [];
      for (const k in o) if (!checked || hasOwn.call(o, k)) keys.push(k);
      node.keys = keys;
    }
    if (!checked && depth < LAST_SHAPE_DEPTHS) this.lastShape[depth] = node;
    return node;
  }

  private addChild(node: ShapeNode, key: string): ShapeNode {
    const child = newNode();
    (node.children ??= new Map()).set(key, child);
    this.nodes++;
    return child;
  }
}
