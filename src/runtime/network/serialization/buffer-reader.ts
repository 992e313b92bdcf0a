/**
 * Bounds-checked reads over one frame. Every read that would run past the end throws
 * CORRUPT_FRAME, so a truncated or garbled frame fails cleanly instead of yielding
 * garbage values.
 */
import { WeirError } from '../../../errors/index.ts';

// The reader's own scratch (an imported binding would be read through a getter under tsx).
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

export function corruptFrame(detail: string): WeirError {
  return new WeirError('CORRUPT_FRAME', `corrupt network frame: ${detail}`, true);
}

export class BufferReader {
  pos: number;
  end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw corruptFrame(`truncated: needed ${n} more bytes at offset ${this.pos}, frame ends at ${this.end}`);
  }

  u8(): number {
    if (this.pos >= this.end) this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  varuint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw corruptFrame(`varint longer than 8 bytes at offset ${this.pos}`);
  }

  varint32(): number {
    const z = this.varuint();
    if (z > 0xffffffff) throw corruptFrame(`int32 out of range at offset ${this.pos}`);
    return (z >>> 1) ^ -(z & 1);
  }

  f64(): number {
    this.need(8);
    const b = this.buf;
    const p = this.pos;
    F64_BYTES[0] = b[p]!;
    F64_BYTES[1] = b[p + 1]!;
    F64_BYTES[2] = b[p + 2]!;
    F64_BYTES[3] = b[p + 3]!;
    F64_BYTES[4] = b[p + 4]!;
    F64_BYTES[5] = b[p + 5]!;
    F64_BYTES[6] = b[p + 6]!;
    F64_BYTES[7] = b[p + 7]!;
    this.pos = p + 8;
    return F64[0]!;
  }

  string(): string {
    const len = this.varuint();
    this.need(len);
    const start = this.pos;
    this.pos += len;
    if (len < 16) {
      // Short ASCII strings are built by hand: cheaper than a native call.
      const b = this.buf;
      let s = '';
      for (let i = start; i < start + len; i++) {
        const c = b[i]!;
        if (c >= 0x80) return b.toString('utf8', start, start + len);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return this.buf.toString('utf8', start, start + len);
  }

  /** A copy, so a decoded value does not pin the whole frame in memory. */
  bytes(len: number): Buffer {
    this.need(len);
    const out = Buffer.allocUnsafe(len);
    this.buf.copy(out, 0, this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}
