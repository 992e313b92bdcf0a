import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeirError } from '../../../errors/index.ts';
import { ACTIVE, END_OF_PARTITION, IDLE, RecordBatch, watermark } from '../../stream-element.ts';
import type { StreamElement } from '../../stream-element.ts';
import { BufferReader } from './buffer-reader.ts';
import { BufferWriter } from './buffer-writer.ts';
import { ElementDecoder, ElementEncoder, deserializeElement, serializeElement } from './element-codec.ts';

function roundTrip(values: unknown[], timestamps: number[] = values.map(() => NaN)): RecordBatch {
  const e = deserializeElement(serializeElement(new RecordBatch(values, timestamps)));
  assert.equal(e.kind, 'batch');
  return e as RecordBatch;
}

const one = (v: unknown): unknown => roundTrip([v]).values[0];

function assertCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof WeirError, `expected a WeirError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

test('numbers round-trip exactly, including -0, NaN, infinities and int32 edges', () => {
  const nums = [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0.1, -1.5e-300, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];
  const out = roundTrip(nums).values;
  for (let i = 0; i < nums.length; i++) assert.ok(Object.is(out[i], nums[i]), `${nums[i]} came back as ${String(out[i])}`);
});

test('strings: empty, ASCII of every length class, unicode, astral characters, long', () => {
  const strings = ['', 'a', 'x'.repeat(42), 'x'.repeat(43), 'x'.repeat(200_000), 'héllo wörld', '日本語のテキスト', '𝄞 music 😀 emoji 👩‍👩‍👧', 'é'.repeat(42), '😀'.repeat(21), '😀'.repeat(100), '\u0000nul\u0000', 'ascii then ü'];
  assert.deepEqual(roundTrip(strings).values, strings);
});

test('lone surrogates become U+FFFD, as UTF-8 requires', () => {
  assert.equal(one('a\uD800b'), 'a\uFFFDb');
});

test('bigints of any size and sign', () => {
  const bigs = [0n, 1n, -1n, 2n ** 64n, -(2n ** 64n) + 1n, 12345678901234567890123456789012345678901234567890n, -(10n ** 300n)];
  assert.deepEqual(roundTrip(bigs).values, bigs);
});

test('booleans, null and undefined; holey arrays become dense with undefined', () => {
  assert.deepEqual(roundTrip([true, false, null, undefined]).values, [true, false, null, undefined]);
  // eslint-disable-next-line no-sparse-arrays
  const holey = [1, , 3];
  const sparse: unknown[] = [];
  sparse[5] = 'x';
  const out = roundTrip([holey, sparse]).values as unknown[][];
  assert.deepEqual(out[0], [1, undefined, 3]);
  assert.ok(1 in out[0]!, 'the hole is now an own element');
  assert.equal(out[1]!.length, 6);
  assert.deepEqual(out[1], [undefined, undefined, undefined, undefined, undefined, 'x']);
});

test('Dates (including invalid), Buffers and Uint8Arrays keep their types', () => {
  const d = new Date('2024-02-29T12:34:56.789Z');
  const [d2, bad, buf, u8, empty] = roundTrip([d, new Date(NaN), Buffer.from('héllo'), new Uint8Array([0, 255, 7]), Buffer.alloc(0)]).values;
  assert.ok(d2 instanceof Date && d2.getTime() === d.getTime());
  assert.ok(bad instanceof Date && Number.isNaN(bad.getTime()));
  assert.ok(Buffer.isBuffer(buf));
  assert.equal(buf.toString(), 'héllo');
  assert.ok(u8 instanceof Uint8Array && !Buffer.isBuffer(u8));
  assert.deepEqual([...u8], [0, 255, 7]);
  assert.equal(u8.buffer.byteLength, 3, 'a decoded Uint8Array owns its memory');
  assert.ok(Buffer.isBuffer(empty) && empty.length === 0);
});

test('Maps and Sets with any keys, in insertion order', () => {
  const m = new Map<unknown, unknown>([['a', 1], [2, 'two'], [{ k: 1 }, [1, 2]], [null, new Set([1, 'x', 3n])]]);
  const out = one(m) as Map<unknown, unknown>;
  assert.ok(out instanceof Map);
  assert.deepEqual([...out.entries()], [...m.entries()]);
  const s = one(new Set(['b', 'a', 1, -0])) as Set<unknown>;
  assert.ok(s instanceof Set);
  assert.deepEqual([...s], ['b', 'a', 1, 0]);
});

test('objects: shapes shared across records, differing key orders, nested combos, odd keys', () => {
  const records = [
    { id: 1, name: 'a', tags: ['x'], at: new Date(5), nested: { deep: { deeper: [1, { z: 2n }] } } },
    { id: 2, name: 'b', tags: [], at: new Date(6), nested: { deep: { deeper: [] } } },
    { name: 'c', id: 3 },
    {},
    { '': 'empty key', '0': 'index-like', 'with space': true, 'ünï': 1 },
    { id: 4, name: 'd', tags: ['y', 'z'], at: new Date(7), nested: { deep: null } },
    JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown,
  ];
  const out = roundTrip(records).values;
  assert.deepEqual(out, records);
  assert.deepEqual(Object.keys(out[2] as object), ['name', 'id'], 'key order is kept');
  const protoObj = out[6] as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(protoObj), Object.prototype, 'an own __proto__ key does not replace the prototype');
  assert.deepEqual(Object.getOwnPropertyDescriptor(protoObj, '__proto__')?.value, { polluted: true });
});

test('class instances travel as plain objects of their own enumerable properties', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
    norm(): number {
      return Math.hypot(this.x, this.y);
    }
  }
  const out = one({ p: new Point(3, 4), n: Object.assign(Object.create(null) as object, { a: 1 }) }) as Record<string, object>;
  assert.deepEqual(out, { p: { x: 3, y: 4 }, n: { a: 1 } });
  assert.equal(Object.getPrototypeOf(out.p), Object.prototype);
});

test('nesting up to the depth limit round-trips; deeper or circular values are refused with a path', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 999; i++) deep = i % 2 ? [deep] : { d: deep };
  assert.deepEqual(one(deep), deep);
  const cyclic: Record<string, unknown> = { a: { b: [] } };
  ((cyclic.a as Record<string, unknown>).b as unknown[]).push(cyclic);
  assertCode(() => one(cyclic), 'UNSERIALIZABLE_RECORD', /circular reference at \$\.a\.b\[0\]/);
});

test('timestamps: none, integer deltas, large jumps, fractions, -0 and mixed NaN', () => {
  const cases = [
    [NaN, NaN],
    [1_700_000_000_000, 1_700_000_000_005, 1_699_999_999_990],
    [0, 2 ** 40, -(2 ** 40)],
    [1.5, -0, NaN, Infinity, -Infinity],
    [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER],
  ];
  for (const ts of cases) {
    const out = roundTrip(ts.map((_, i) => i), ts).timestamps;
    assert.equal(out.length, ts.length);
    for (let i = 0; i < ts.length; i++) assert.ok(Object.is(out[i], ts[i]), `timestamp ${ts[i]} came back as ${out[i]}`);
  }
  assert.equal(roundTrip([]).length, 0);
});

test('control events round-trip', () => {
  const events: StreamElement[] = [
    watermark(123),
    watermark(-Infinity),
    watermark(Infinity),
    IDLE,
    ACTIVE,
    END_OF_PARTITION,
    { kind: 'barrier', checkpointId: 1, timestamp: 1_764_700_000_123, mode: 'EXACTLY_ONCE', savepoint: false },
    { kind: 'barrier', checkpointId: 2 ** 40, timestamp: 0, mode: 'AT_LEAST_ONCE', savepoint: false },
    { kind: 'barrier', checkpointId: 7, timestamp: 5, mode: 'EXACTLY_ONCE', savepoint: true },
  ];
  for (const e of events) assert.deepEqual(deserializeElement(serializeElement(e)), e);
});

test('a barrier with a checkpoint id that is not a positive whole number or unknown flags is refused', () => {
  const barrier = (id: number, flags: number) => {
    const b = Buffer.alloc(18);
    b[0] = 5;
    b.writeDoubleLE(id, 1);
    b.writeDoubleLE(0, 9);
    b[17] = flags;
    return b;
  };
  assert.deepEqual(deserializeElement(barrier(3, 3)), { kind: 'barrier', checkpointId: 3, timestamp: 0, mode: 'AT_LEAST_ONCE', savepoint: true });
  assertCode(() => deserializeElement(barrier(0, 0)), 'CORRUPT_FRAME', /bad checkpoint barrier \(id 0, flags 0\)/);
  assertCode(() => deserializeElement(barrier(1.5, 0)), 'CORRUPT_FRAME', /bad checkpoint barrier/);
  assertCode(() => deserializeElement(barrier(4, 8)), 'CORRUPT_FRAME', /flags 8/);
});

test('several elements in one buffer decode in order with one encoder and decoder', () => {
  const w = new BufferWriter(16);
  const enc = new ElementEncoder();
  const elements: StreamElement[] = [new RecordBatch([{ a: 1 }, { a: 2 }], [1, 2]), watermark(2), new RecordBatch([{ a: 3, b: 'x' }, { a: 4 }], [NaN, NaN]), END_OF_PARTITION];
  for (const e of elements) enc.encode(w, e);
  const r = new BufferReader(w.copy());
  const dec = new ElementDecoder();
  const out: StreamElement[] = [];
  while (r.remaining > 0) out.push(dec.decode(r));
  assert.deepEqual(out, elements);
});

test('functions and symbols are refused with UNSERIALIZABLE_RECORD naming the record and path', () => {
  assertCode(() => roundTrip([{ ok: 1 }, { user: { name: 'x', onClick: function handler() {} } }]), 'UNSERIALIZABLE_RECORD', /record 1 .*a function \(handler\) at \$\.user\.onClick/);
  assertCode(() => one({ list: [1, Symbol('s')] }), 'UNSERIALIZABLE_RECORD', /a symbol \(s\) at \$\.list\[1\]/);
  assertCode(() => one(new Map([['k', () => 1]])), 'UNSERIALIZABLE_RECORD', /at \$\.get\("k"\)/);
  assertCode(() => one({ f: new Float64Array(2) }), 'UNSERIALIZABLE_RECORD', /Float64Array .* at \$\.f/);
  assertCode(() => one({ 'odd key': [new Set([Symbol.iterator])] }), 'UNSERIALIZABLE_RECORD', /at \$\["odd key"\]\[0\]\.values\(\)\[0\]/);
});

test('a failed encode leaves the writer as it was, so earlier elements stay intact', () => {
  const w = new BufferWriter(16);
  const enc = new ElementEncoder();
  enc.encode(w, watermark(1));
  const before = w.pos;
  assert.throws(() => enc.encode(w, new RecordBatch([1, () => 2], [NaN, NaN])));
  assert.equal(w.pos, before);
  enc.encode(w, END_OF_PARTITION);
  const r = new BufferReader(w.copy());
  const dec = new ElementDecoder();
  assert.deepEqual([dec.decode(r), dec.decode(r)], [watermark(1), END_OF_PARTITION]);
});

test('malformed input fails with CORRUPT_FRAME: every truncation, unknown tags, absurd counts', () => {
  const full = serializeElement(new RecordBatch([{ id: 1, s: 'hello', m: new Map([[1, [2n, new Date(3)]]]) }, { id: 2, s: 'x', m: new Map() }], [10, 11]));
  for (let len = 0; len < full.length; len++) assertCode(() => deserializeElement(full.subarray(0, len)), 'CORRUPT_FRAME');
  assertCode(() => deserializeElement(Buffer.from([99])), 'CORRUPT_FRAME', /unknown element kind 99/);
  assertCode(() => deserializeElement(Buffer.from([1, 1, 0, 200])), 'CORRUPT_FRAME', /unknown value tag 200/);
  assertCode(() => deserializeElement(Buffer.from([1, 0xff, 0xff, 0xff, 0x7f, 0])), 'CORRUPT_FRAME', /batch of/);
  assertCode(() => deserializeElement(Buffer.from([1, 1, 0, 16, 3])), 'CORRUPT_FRAME', /unknown object shape 3/);
  assertCode(() => deserializeElement(Buffer.from([4, 0])), 'CORRUPT_FRAME', /after the element/);
  assertCode(() => deserializeElement(Buffer.from([1, 1, 0, 7, 2, 0x7a, 0x7a])), 'CORRUPT_FRAME', /malformed bigint/);
});

test('shapes repeat across batches (compiled object factories) with odd keys and shape changes at one depth', () => {
  const enc = new ElementEncoder();
  const dec = new ElementDecoder();
  const weird = JSON.parse('{"__proto__": 1, "a\\"b": 2, "new\\nline": 3, "}; throw 1; ({": 4, "0": 5}') as Record<string, unknown>;
  const records = [{ a: 1, b: { x: 1 } }, { a: 2, b: { y: 2 } }, { b: 3, a: 4 }, { a: 5 }, { a: 6, b: { x: 7 } }, weird, { a: 1, b: 2, c: 3 }];
  for (let round = 0; round < 3; round++) {
    const w = new BufferWriter(16);
    enc.encode(w, new RecordBatch(records, records.map(() => NaN)));
    const out = dec.decode(new BufferReader(w.copy())) as RecordBatch;
    assert.deepEqual(out.values, records, `round ${round}`);
    const o = out.values[5] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), Object.keys(weird));
  }
});
