/**
 * The layout of RocksDB keys and values.
 *
 *   key group (u16 BE) | key length (u32 BE) | key | state id (u16 BE) | namespace length (u32 BE) | namespace | [map key]
 *
 * The key group comes first, so a key-group range is one contiguous range of the database
 * (scanned for snapshots, dropped with deleteRange). The key comes before the state id:
 * everything one key holds, in every state and namespace, is then one contiguous range too,
 * which is what a prefetch reads for a key when it cannot name the exact entries (map state,
 * windows). Lengths make every part prefix-free. Map state stores one row per map key.
 * Keys and values are encoded with the record value encoding, as the canonical snapshot is.
 */
import { BufferReader } from '../../network/serialization/buffer-reader.ts';
import { BufferWriter } from '../../network/serialization/buffer-writer.ts';
import { ValueDecoder } from '../../network/serialization/value-decoder.ts';
import { ValueEncoder } from '../../network/serialization/value-encoder.ts';
import type { KeyValue } from '../key-group.ts';

export interface ParsedRow {
  readonly keyGroup: number;
  /** Offset where the key's bytes end: the row's key prefix is [0, keyEnd). */
  readonly keyEnd: number;
  readonly stateId: number;
  readonly namespace: string;
  /** Offset where the map key starts (the key's length when there is none). */
  readonly mapKeyStart: number;
}

export class RocksCodec {
  private readonly encoder = new ValueEncoder();
  private readonly decoder = new ValueDecoder();
  private readonly w = new BufferWriter(256);

  /** Encodes one value on its own (each row decodes alone). */
  value(v: unknown): Buffer {
    this.w.reset();
    this.encoder.beginBatch();
    this.encoder.encode(this.w, v, 0);
    return this.w.copy();
  }

  decode(buf: Buffer, start = 0, end = buf.length): unknown {
    this.decoder.beginBatch();
    return this.decoder.decode(new BufferReader(buf, start, end), 0);
  }

  /** key group | key length | key: the range holding all of one key's state. */
  keyPrefix(keyGroup: number, key: KeyValue): Buffer {
    const k = this.value(key);
    const out = Buffer.allocUnsafe(6 + k.length);
    out.writeUInt16BE(keyGroup, 0);
    out.writeUInt32BE(k.length, 2);
    k.copy(out, 6);
    return out;
  }

  /** One state's entry of a key in a namespace (the row itself, or the prefix of its map rows). */
  cellKey(keyPrefix: Uint8Array, stateId: number, namespace: string): Buffer {
    const nsLen = Buffer.byteLength(namespace);
    const out = Buffer.allocUnsafe(keyPrefix.length + 6 + nsLen);
    out.set(keyPrefix, 0);
    const at = keyPrefix.length;
    out.writeUInt16BE(stateId, at);
    out.writeUInt32BE(nsLen, at + 2);
    out.write(namespace, at + 6);
    return out;
  }

  mapRowKey(cell: Buffer, mapKey: unknown): Buffer {
    return Buffer.concat([cell, this.value(mapKey)]);
  }

  parse(row: Buffer): ParsedRow {
    const keyGroup = row.readUInt16BE(0);
    const keyEnd = 6 + row.readUInt32BE(2);
    const stateId = row.readUInt16BE(keyEnd);
    const nsLen = row.readUInt32BE(keyEnd + 2);
    const nsStart = keyEnd + 6;
    return { keyGroup, keyEnd, stateId, namespace: row.toString('utf8', nsStart, nsStart + nsLen), mapKeyStart: nsStart + nsLen };
  }

  keyOf(row: Buffer, keyEnd: number): KeyValue {
    return this.decode(row, 6, keyEnd) as KeyValue;
  }
}

/** The first key after every key that starts with `prefix` (the end of its range). */
export function prefixEnd(prefix: Uint8Array): Buffer {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  throw new RangeError('a prefix of 0xff bytes has no end');
}

/** The range [start, end) of the rows of key groups first..last (maxParallelism is at most 32768). */
export function keyGroupBounds(first: number, last: number): [Buffer, Buffer] {
  const start = Buffer.alloc(2);
  start.writeUInt16BE(first, 0);
  const end = Buffer.alloc(2);
  end.writeUInt16BE(last + 1, 0);
  return [start, end];
}
