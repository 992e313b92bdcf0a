// Accumulates a Kafka message: small fields go into one growing scratch buffer, large
// payloads (record batches) are kept as references, so build() copies each byte once.

const SCRATCH = 4096;

export class Writer {
  private readonly chunks: Buffer[] = [];
  private scratch = Buffer.allocUnsafe(SCRATCH);
  private pos = 0;
  private flushed = 0;

  get length(): number {
    return this.flushed + this.pos;
  }

  private room(n: number): Buffer {
    if (this.pos + n > this.scratch.length) {
      this.flush();
      if (n > this.scratch.length) this.scratch = Buffer.allocUnsafe(n);
    }
    return this.scratch;
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.pos));
    this.flushed += this.pos;
    this.scratch = Buffer.allocUnsafe(SCRATCH);
    this.pos = 0;
  }

  int8(v: number): this {
    this.room(1).writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.room(2).writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.room(4).writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.room(4).writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.room(8).writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  /** A UUID given as 32 hex digits. */
  uuid(hex: string): this {
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not a 32-hex-digit uuid: ${hex}`);
    return this.raw(Buffer.from(hex, 'hex'));
  }

  /** Unsigned varint (flexible versions). */
  uvarint(v: number): this {
    const b = this.room(10);
    let z = v;
    while (z >= 0x80) {
      b[this.pos++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    b[this.pos++] = z;
    return this;
  }

  /** Length prefix of a string, bytes or array; -1 is null. */
  private prefix(n: number, flexible: boolean, wide: boolean): this {
    if (flexible) return this.uvarint(n + 1);
    return wide ? this.int32(n) : this.int16(n);
  }

  string(s: string | null, flexible = false): this {
    if (s === null) return this.prefix(-1, flexible, false);
    const len = Buffer.byteLength(s, 'utf8');
    this.prefix(len, flexible, false);
    this.room(len).write(s, this.pos, 'utf8');
    this.pos += len;
    return this;
  }

  bytes(b: Buffer | null, flexible = false): this {
    if (b === null) return this.prefix(-1, flexible, true);
    return this.prefix(b.length, flexible, true).raw(b);
  }

  /** A bytes field whose content is several buffers (the record batches of a fetch). */
  bytesOf(parts: readonly Buffer[], flexible = false): this {
    this.prefix(
      parts.reduce((n, p) => n + p.length, 0),
      flexible,
      true,
    );
    for (const p of parts) this.raw(p);
    return this;
  }

  raw(b: Buffer): this {
    if (b.length <= 256) {
      b.copy(this.room(b.length), this.pos);
      this.pos += b.length;
      return this;
    }
    this.flush();
    this.chunks.push(b);
    this.flushed += b.length;
    return this;
  }

  arrayLength(n: number | null, flexible = false): this {
    return this.prefix(n ?? -1, flexible, true);
  }

  array<T>(items: readonly T[] | null, write: (w: Writer, item: T) => void, flexible = false): this {
    this.arrayLength(items === null ? null : items.length, flexible);
    for (const item of items ?? []) write(this, item);
    return this;
  }

  /** An empty tagged-field section. */
  noTaggedFields(): this {
    return this.uvarint(0);
  }

  /** Zig-zag varint as used inside record batches. */
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  varBytes(b: Buffer | null): this {
    if (b === null) return this.varint(-1);
    return this.varint(b.length).raw(b);
  }

  build(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.flushed);
  }
}
