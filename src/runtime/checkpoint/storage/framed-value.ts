/**
 * How checkpoint files hold a value: an 8-byte magic naming the file's kind, a CRC-32 of
 * the payload, then the value in the record encoding. A torn write, a flipped bit or a file
 * of another kind is found on read and reported as corrupt, never half-read.
 */
import { crc32 } from 'node:zlib';
import { errorMessage } from '../../../errors/index.ts';
import { BufferReader } from '../../network/serialization/buffer-reader.ts';
import { BufferWriter } from '../../network/serialization/buffer-writer.ts';
import { ValueDecoder } from '../../network/serialization/value-decoder.ts';
import { ValueEncoder } from '../../network/serialization/value-encoder.ts';

const HEADER = 12;

export function frameValue(magic: string, value: unknown): Uint8Array {
  const w = new BufferWriter(4096);
  const encoder = new ValueEncoder();
  encoder.beginBatch();
  encoder.encode(w, value, 0);
  const out = Buffer.allocUnsafe(HEADER + w.pos);
  out.write(magic, 0, 8, 'latin1');
  const payload = w.buf.subarray(0, w.pos);
  out.writeUInt32LE(crc32(payload), 8);
  out.set(payload, HEADER);
  return out;
}

/** The value, or a description of what is wrong with the bytes. */
export function unframeValue(magic: string, bytes: Uint8Array): { value: unknown } | { problem: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER) return { problem: `it is ${buf.length} bytes long, shorter than a header` };
  const found = buf.toString('latin1', 0, 8);
  if (found !== magic) return { problem: `it starts with "${printable(found)}", not "${magic}"` };
  const payload = buf.subarray(HEADER);
  if (crc32(payload) !== buf.readUInt32LE(8)) return { problem: 'its checksum does not match its content (a torn or damaged write)' };
  try {
    const r = new BufferReader(payload);
    const decoder = new ValueDecoder();
    decoder.beginBatch();
    const value = decoder.decode(r, 0);
    if (r.remaining !== 0) return { problem: `${r.remaining} bytes are left after its content` };
    return { value };
  } catch (err) {
    return { problem: errorMessage(err) };
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
