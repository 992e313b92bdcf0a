/**
 * Binary form of stream elements: record batches (values and timestamps) and the
 * in-band control events. One element is self-contained (its object shapes are
 * numbered within it), so a receiver can decode elements one at a time, lazily.
 *
 * Layout: kind byte, then
 *   batch:      varuint count, timestamps block, `count` encoded values
 *   watermark:  float64 timestamp
 *   status:     one byte, 1 = idle
 *   end:        nothing
 *   barrier:    float64 checkpoint id, float64 timestamp, flags byte (1 = at-least-once, 2 = savepoint)
 * Timestamps block: mode 0 = all NaN; mode 1 = float64 each; mode 2 = integers: the
 * first as float64, then zigzag varint deltas (event times in a batch are close, so
 * this is usually 1-3 bytes per record instead of 8).
 */
import { WeirError } from '../../../errors/index.ts';
import { ACTIVE, END_OF_PARTITION, IDLE, RecordBatch } from '../../stream-element.ts';
import type { StreamElement } from '../../stream-element.ts';
import { BufferReader, corruptFrame } from './buffer-reader.ts';
import { BufferWriter } from './buffer-writer.ts';
import { findUnserializable } from './unserializable-path.ts';
import { ValueDecoder } from './value-decoder.ts';
import { UnserializableValue, ValueEncoder } from './value-encoder.ts';

const K_BATCH = 1;
const K_WATERMARK = 2;
const K_STATUS = 3;
const K_END = 4;
const K_BARRIER = 5;

const BARRIER_AT_LEAST_ONCE = 1;
const BARRIER_SAVEPOINT = 2;

const TS_NONE = 0;
const TS_F64 = 1;
const TS_DELTA = 2;

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

export class ElementEncoder {
  private readonly values = new ValueEncoder();

  /**
   * Appends `e` to `w`. On UNSERIALIZABLE_RECORD the writer is left as it was, so a
   * frame being built stays valid.
   */
  encode(w: BufferWriter, e: StreamElement): void {
    switch (e.kind) {
      case 'batch':
        return this.encodeBatch(w, e);
      case 'watermark':
        w.u8(K_WATERMARK);
        w.f64(e.timestamp);
        return;
      case 'status':
        w.u8(K_STATUS);
        w.u8(e.idle ? 1 : 0);
        return;
      case 'end':
        w.u8(K_END);
        return;
      case 'barrier':
        w.u8(K_BARRIER);
        w.f64(e.checkpointId);
        w.f64(e.timestamp);
        w.u8((e.mode === 'AT_LEAST_ONCE' ? BARRIER_AT_LEAST_ONCE : 0) | (e.savepoint ? BARRIER_SAVEPOINT : 0));
        return;
    }
  }

  private encodeBatch(w: BufferWriter, b: RecordBatch): void {
    const start = w.pos;
    const { values, timestamps } = b;
    const n = values.length;
    if (timestamps.length !== n) {
      throw new WeirError('UNSERIALIZABLE_RECORD', `a record batch has ${n} values but ${timestamps.length} timestamps`, false);
    }
    w.u8(K_BATCH);
    w.varuint(n);
    writeTimestamps(w, timestamps);
    this.values.beginBatch();
    let i = 0;
    try {
      for (; i < n; i++) this.values.encode(w, values[i], 0);
    } catch (err) {
      w.pos = start;
      if (!(err instanceof UnserializableValue)) throw err;
      const found = findUnserializable(values[i]);
      const where = found ? `${found.reason} at ${found.path}` : `a value it cannot encode (${err.message})`;
      throw new WeirError(
        'UNSERIALIZABLE_RECORD',
        `record ${i} of a batch cannot be sent over the network: it holds ${where}. Records may contain plain objects, arrays, strings, numbers, bigints, booleans, null, undefined, Date, Buffer, Uint8Array, Map and Set`,
        true,
      );
    }
  }
}

function writeTimestamps(w: BufferWriter, ts: number[]): void {
  const n = ts.length;
  let allNaN = true;
  let deltas = true;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (t === t) allNaN = false;
    if (deltas) {
      const d = t - prev;
      if (!Number.isSafeInteger(t) || Object.is(t, -0) || (i > 0 && (d < INT32_MIN || d > INT32_MAX))) deltas = false;
      prev = t;
    }
  }
  if (allNaN) return w.u8(TS_NONE);
  if (deltas) {
    w.u8(TS_DELTA);
    w.f64(ts[0]!);
    for (let i = 1; i < n; i++) w.varint32(ts[i]! - ts[i - 1]!);
    return;
  }
  w.u8(TS_F64);
  for (let i = 0; i < n; i++) w.f64(ts[i]!);
}

export class ElementDecoder {
  private readonly values = new ValueDecoder();

  /** Reads one element at `r.pos`; throws CORRUPT_FRAME on malformed input. */
  decode(r: BufferReader): StreamElement {
    const kind = r.u8();
    switch (kind) {
      case K_BATCH:
        return this.decodeBatch(r);
      case K_WATERMARK:
        return { kind: 'watermark', timestamp: r.f64() };
      case K_STATUS: {
        const idle = r.u8();
        if (idle > 1) throw corruptFrame(`bad watermark status ${idle} at offset ${r.pos - 1}`);
        return idle === 1 ? IDLE : ACTIVE;
      }
      case K_END:
        return END_OF_PARTITION;
      case K_BARRIER: {
        const checkpointId = r.f64();
        const timestamp = r.f64();
        const flags = r.u8();
        if (!Number.isSafeInteger(checkpointId) || checkpointId < 1 || flags > 3) throw corruptFrame(`bad checkpoint barrier (id ${checkpointId}, flags ${flags}) at offset ${r.pos - 17}`);
        return { kind: 'barrier', checkpointId, timestamp, mode: flags & BARRIER_AT_LEAST_ONCE ? 'AT_LEAST_ONCE' : 'EXACTLY_ONCE', savepoint: (flags & BARRIER_SAVEPOINT) !== 0 };
      }
      default:
        throw corruptFrame(`unknown element kind ${kind} at offset ${r.pos - 1}`);
    }
  }

  private decodeBatch(r: BufferReader): RecordBatch {
    const n = r.varuint();
    // Each record takes at least one byte, which bounds the arrays allocated below.
    if (n > r.remaining) throw corruptFrame(`batch of ${n} records in ${r.remaining} bytes`);
    const timestamps = readTimestamps(r, n);
    this.values.beginBatch();
    const values: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) values[i] = this.values.decode(r, 0);
    return new RecordBatch(values, timestamps);
  }
}

function readTimestamps(r: BufferReader, n: number): number[] {
  const mode = r.u8();
  const ts: number[] = new Array(n);
  switch (mode) {
    case TS_NONE:
      for (let i = 0; i < n; i++) ts[i] = NaN;
      return ts;
    case TS_DELTA: {
      if (n === 0) throw corruptFrame('delta timestamps in an empty batch');
      let t = r.f64();
      ts[0] = t;
      for (let i = 1; i < n; i++) ts[i] = t += r.varint32();
      return ts;
    }
    case TS_F64:
      for (let i = 0; i < n; i++) ts[i] = r.f64();
      return ts;
    default:
      throw corruptFrame(`unknown timestamp mode ${mode} at offset ${r.pos - 1}`);
  }
}

/** Encodes one element into a fresh Buffer (tests, tools; the network reuses a writer). */
export function serializeElement(e: StreamElement): Buffer {
  const w = new BufferWriter(256);
  new ElementEncoder().encode(w, e);
  return w.copy();
}

/** Decodes a Buffer holding exactly one element. */
export function deserializeElement(buf: Buffer): StreamElement {
  const r = new BufferReader(buf);
  const e = new ElementDecoder().decode(r);
  if (r.remaining !== 0) throw corruptFrame(`${r.remaining} bytes after the element`);
  return e;
}
