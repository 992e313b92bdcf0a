/**
 * A growable byte writer: the serializers append to one Buffer per frame instead of
 * allocating per record. Little-endian throughout.
 */

// Copying 8 bytes through a scratch float is cheaper than Buffer#writeDoubleLE's
// argument checks on the hot path.
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

export class BufferWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialCapacity = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.pos);
    this.pos += 4;
  }

  u32At(at: number, v: number): void {
    this.buf.writeUInt32LE(v, at);
  }

  /** Unsigned LEB128 for 0 <= v < 2^53. */
  varuint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[p++] = v;
    this.pos = p;
  }

  /** Zigzag varint for a signed 32-bit integer. */
  varint32(v: number): void {
    this.varuint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  f64(v: number): void {
    this.ensure(8);
    F64[0] = v;
    const b = this.buf;
    const p = this.pos;
    b[p] = F64_BYTES[0]!;
    b[p + 1] = F64_BYTES[1]!;
    b[p + 2] = F64_BYTES[2]!;
    b[p + 3] = F64_BYTES[3]!;
    b[p + 4] = F64_BYTES[4]!;
    b[p + 5] = F64_BYTES[5]!;
    b[p + 6] = F64_BYTES[6]!;
    b[p + 7] = F64_BYTES[7]!;
    this.pos = p + 8;
  }

  /** A varuint byte length then UTF-8 (lone surrogates become U+FFFD, as UTF-8 requires). */
  string(s: string): void {
    const n = s.length;
    if (n < 43) {
      // At most 3 bytes per UTF-16 unit, so the length fits the one varint byte
      // reserved here; ASCII is copied by hand because a native call costs more than
      // the copy for short strings.
      this.ensure(1 + n * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let p = start;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          p = start + b.write(s, start, 'utf8');
          break;
        }
        b[p++] = c;
      }
      b[this.pos] = p - start;
      this.pos = p;
      return;
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varuint(len);
    this.ensure(len);
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** A copy of bytes [start, pos): the writer's memory is reused, the copy is not. */
  copy(start = 0): Buffer {
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }

  reset(): void {
    this.pos = 0;
  }
}
