// Record batch v2 (magic 2): header parsing, validation as Kafka's LogValidator does
// (CRC32C, offset range, decodable records under every codec), recompression to a topic's
// compression.type, and building batches (control markers, tests).
import { crc32c } from './crc32c.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';
import { ErrorCode } from './errors.ts';
import { Compression, compress, decompress } from './compression/index.ts';

export { Compression } from './compression/index.ts';

export const HEADER_SIZE = 61;
const CRC_START = 21;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_FLAG = 0x08;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  compression: number;
  isTransactional: boolean;
  isControl: boolean;
}

export interface DecodedRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export function readHeader(batch: Buffer): BatchHeader {
  const r = new Reader(batch);
  const baseOffset = r.int64();
  const batchLength = r.int32();
  r.int32(); // partition leader epoch: set by the leader, not the client
  const magic = r.int8();
  const crc = r.uint32();
  const attributes = r.int16();
  return {
    baseOffset,
    batchLength,
    magic,
    crc,
    attributes,
    lastOffsetDelta: r.int32(),
    firstTimestamp: r.int64(),
    maxTimestamp: r.int64(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    baseSequence: r.int32(),
    recordCount: r.int32(),
    compression: attributes & COMPRESSION_MASK,
    isTransactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
    isControl: (attributes & CONTROL_FLAG) !== 0,
  };
}

/** Splits a records field into whole batches; a trailing partial batch is a corrupt request. */
export function splitBatches(records: Buffer): Buffer[] | number {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < HEADER_SIZE) return ErrorCode.CORRUPT_MESSAGE;
    const size = records.readInt32BE(pos + 8) + 12;
    if (size < HEADER_SIZE || pos + size > records.length) return ErrorCode.CORRUPT_MESSAGE;
    out.push(records.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

/** Decodes every record of a batch, decompressing it first; throws on malformed data. */
export function decodeRecords(batch: Buffer): DecodedRecord[] {
  const header = readHeader(batch);
  const r = new Reader(decompress(header.compression, batch.subarray(HEADER_SIZE)));
  const out: DecodedRecord[] = [];
  for (let i = 0; i < header.recordCount; i++) {
    const len = r.varint();
    const rec = new Reader(r.raw(len));
    rec.int8(); // record attributes: unused in v2
    const timestampDelta = rec.varint();
    const offsetDelta = rec.varint();
    const key = rec.varBytes();
    const value = rec.varBytes();
    const headerCount = rec.varint();
    const headers: DecodedRecord['headers'] = [];
    for (let h = 0; h < headerCount; h++) {
      const hk = rec.varBytes();
      headers.push({ key: hk === null ? '' : hk.toString('utf8'), value: rec.varBytes() });
    }
    if (rec.remaining() !== 0) throw new Error('record length does not match its fields');
    out.push({ offsetDelta, timestampDelta, key, value, headers });
  }
  if (r.remaining() !== 0) throw new Error('bytes left after the last record');
  return out;
}

/**
 * Validates a produced batch the way the partition leader does before appending; returns
 * the parsed header or a Kafka error code.
 */
export function validateBatch(batch: Buffer): BatchHeader | number {
  const header = readHeader(batch);
  if (header.magic !== 2) return ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT;
  if (header.batchLength + 12 !== batch.length) return ErrorCode.CORRUPT_MESSAGE;
  if (crc32c(batch.subarray(CRC_START)) !== header.crc) return ErrorCode.CORRUPT_MESSAGE;
  if (header.isControl) return ErrorCode.INVALID_RECORD; // clients may not write control batches
  if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) return ErrorCode.INVALID_RECORD;
  if (header.compression > Compression.ZSTD) return ErrorCode.CORRUPT_MESSAGE;
  try {
    const records = decodeRecords(batch);
    if (records.length !== header.recordCount) return ErrorCode.INVALID_RECORD;
    for (let i = 0; i < records.length; i++) {
      if ((records[i] as DecodedRecord).offsetDelta !== i) return ErrorCode.INVALID_RECORD;
    }
  } catch {
    // Kafka reports undecodable record data as a corrupt message, whatever the cause.
    return ErrorCode.CORRUPT_MESSAGE;
  }
  return header;
}

/**
 * Rewrites the leader-assigned fields: base offset and leader epoch (outside the CRC), and for
 * LogAppendTime topics the timestamp type and max timestamp, which needs a new CRC.
 */
export function assignOffsets(batch: Buffer, baseOffset: number, leaderEpoch: number, logAppendTime: number | null = null): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(BigInt(baseOffset), 0);
  copy.writeInt32BE(leaderEpoch, 12);
  if (logAppendTime !== null) {
    copy.writeInt16BE(copy.readInt16BE(21) | TIMESTAMP_TYPE_FLAG, 21);
    copy.writeBigInt64BE(BigInt(logAppendTime), 35);
    copy.writeUInt32BE(crc32c(copy.subarray(CRC_START)), 17);
  }
  return copy;
}

export function isLogAppendTime(batch: Buffer): boolean {
  return (batch.readInt16BE(21) & TIMESTAMP_TYPE_FLAG) !== 0;
}

export interface BuildRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers?: { key: string; value: Buffer | null }[];
}

export interface BuildOptions {
  baseOffset?: number;
  compression?: number;
  logAppendTime?: boolean;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
}

/** Encodes a v2 batch; used for control markers, recompression and by tests that craft raw requests. */
export function buildBatch(records: BuildRecord[], opts: BuildOptions = {}): Buffer {
  const first = records[0];
  if (first === undefined) throw new Error('a record batch needs at least one record');
  const firstTimestamp = first.timestamp;
  const maxTimestamp = records.reduce((m, r) => Math.max(m, r.timestamp), first.timestamp);
  const body = new Writer();
  records.forEach((rec, i) => {
    const headers = rec.headers ?? [];
    const w = new Writer()
      .int8(0)
      .varint(rec.timestamp - firstTimestamp)
      .varint(i)
      .varBytes(rec.key)
      .varBytes(rec.value)
      .varint(headers.length);
    for (const h of headers) w.varBytes(Buffer.from(h.key, 'utf8')).varBytes(h.value);
    const recBuf = w.build();
    body.varint(recBuf.length).raw(recBuf);
  });
  const compression = opts.compression ?? Compression.NONE;
  const payload = compress(compression, body.build());
  let attributes = compression;
  if (opts.logAppendTime === true) attributes |= TIMESTAMP_TYPE_FLAG;
  if (opts.transactional === true) attributes |= TRANSACTIONAL_FLAG;
  if (opts.control === true) attributes |= CONTROL_FLAG;
  const afterCrc = new Writer()
    .int16(attributes)
    .int32(records.length - 1)
    .int64(firstTimestamp)
    .int64(maxTimestamp)
    .int64(opts.producerId ?? -1)
    .int16(opts.producerEpoch ?? -1)
    .int32(opts.baseSequence ?? -1)
    .int32(records.length)
    .raw(payload)
    .build();
  return new Writer()
    .int64(opts.baseOffset ?? 0)
    .int32(afterCrc.length + 9)
    .int32(0)
    .int8(2)
    .uint32(crc32c(afterCrc))
    .raw(afterCrc)
    .build();
}

/** A transaction marker: one control record, key (version 0, type 0 abort / 1 commit), value (version 0, coordinator epoch). */
export function buildControlBatch(commit: boolean, producerId: number, producerEpoch: number, timestamp: number): Buffer {
  const key = new Writer().int16(0).int16(commit ? 1 : 0).build();
  const value = new Writer().int16(0).int32(0).build();
  return buildBatch([{ key, value, timestamp }], { producerId, producerEpoch, transactional: true, control: true });
}

/** Record timestamps as Kafka reports them: the batch's append time under LogAppendTime. */
export function recordTimestamps(batch: Buffer, records: DecodedRecord[]): number[] {
  const header = readHeader(batch);
  if (isLogAppendTime(batch)) return records.map(() => header.maxTimestamp);
  return records.map((r) => header.firstTimestamp + r.timestampDelta);
}

/**
 * Re-encodes a validated batch with another codec, keeping its producer id, epoch, sequence,
 * transactional flag, timestamps and headers, as Kafka's LogValidator does when a topic's
 * compression.type differs from the producer's.
 */
export function recompressBatch(batch: Buffer, header: BatchHeader, codec: number): Buffer {
  const records = decodeRecords(batch);
  const timestamps = recordTimestamps(batch, records);
  return buildBatch(
    records.map((r, i) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: timestamps[i] as number })),
    {
      compression: codec,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      transactional: header.isTransactional,
    },
  );
}
