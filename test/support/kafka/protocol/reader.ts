// Cursor over a Kafka request body. Every read is bounds-checked so a malformed
// request surfaces as one error (Kafka closes such connections) instead of garbage.
// Covers both encodings: classic (int16/int32 lengths) and flexible (KIP-482: unsigned
// varint lengths plus one, and tagged fields).

export class ProtocolError extends Error {}

export class Reader {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) throw new ProtocolError(`truncated: need ${n} bytes at ${this.offset} of ${this.buf.length}`);
  }

  remaining(): number {
    return this.buf.length - this.offset;
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** Offsets, producer ids and timestamps stay well inside 2^53 in a test broker, so numbers suffice. */
  int64(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return Number(v);
  }

  /** A UUID as 32 lowercase hex digits (topic ids). */
  uuid(): string {
    return this.raw(16).toString('hex');
  }

  /** Unsigned varint (flexible versions: lengths and tagged-field headers). */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const b = this.buf[this.offset++] as number;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new ProtocolError('unsigned varint longer than 5 bytes');
  }

  /** Length of a string, bytes or array: -1 means null. */
  private length(flexible: boolean, wide: boolean): number {
    if (flexible) return this.uvarint() - 1;
    return wide ? this.int32() : this.int16();
  }

  nullableString(flexible = false): string | null {
    const len = this.length(flexible, false);
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return s;
  }

  string(flexible = false): string {
    const s = this.nullableString(flexible);
    if (s === null) throw new ProtocolError('null where a non-nullable string is required');
    return s;
  }

  nullableBytes(flexible = false): Buffer | null {
    const len = this.length(flexible, true);
    if (len < 0) return null;
    return this.raw(len);
  }

  bytes(flexible = false): Buffer {
    return this.nullableBytes(flexible) ?? Buffer.alloc(0);
  }

  raw(len: number): Buffer {
    this.need(len);
    const b = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return b;
  }

  nullableArray<T>(item: (r: Reader) => T, flexible = false): T[] | null {
    const len = this.length(flexible, true);
    if (len < 0) return null;
    if (len > this.remaining()) throw new ProtocolError(`array length ${len} exceeds request size`);
    const out: T[] = [];
    for (let i = 0; i < len; i++) out.push(item(this));
    return out;
  }

  array<T>(item: (r: Reader) => T, flexible = false): T[] {
    return this.nullableArray(item, flexible) ?? [];
  }

  /** Skips a tagged-field section; none of the fields this broker reads are tagged. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      this.raw(this.uvarint());
    }
  }

  /** Zig-zag varint as used inside record batches. */
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.offset++] as number;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) throw new ProtocolError('varint too long');
    }
    // Zig-zag decode with arithmetic, not bit ops, so varlongs above 2^31 survive.
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  varBytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    return this.raw(len);
  }
}
