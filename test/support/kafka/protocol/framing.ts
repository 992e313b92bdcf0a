// Splits a TCP byte stream into size-prefixed Kafka requests. Chunks are kept as received and
// a frame is copied at most once (only when it spans chunks), so reading a request costs time
// linear in its size however it was split.

export class FrameTooLargeError extends Error {}

export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  private nextSize = -1;
  /** Bytes copied to join frames that spanned chunks; tests assert it stays linear. */
  copiedBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned as a frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds received bytes; returns the frames they complete, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.nextSize < 0) {
        if (this.buffered < 4) break;
        const size = this.take(4).readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(`request of ${size} bytes exceeds socket.request.max.bytes ${this.maxFrameBytes}`);
        this.nextSize = size;
      }
      if (this.buffered < this.nextSize) break;
      frames.push(this.take(this.nextSize));
      this.nextSize = -1;
    }
    return frames;
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[this.head] as Buffer | undefined;
    if (first !== undefined && first.length >= n) return this.advance(first, n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[this.head] as Buffer;
      const part = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, part);
      filled += part;
      this.advance(c, part);
    }
    this.copiedBytes += n;
    return out;
  }

  private advance(chunk: Buffer, n: number): Buffer {
    const taken = chunk.subarray(0, n);
    if (n === chunk.length) {
      this.chunks[this.head++] = Buffer.alloc(0);
      if (this.head > 64 && this.head * 2 > this.chunks.length) {
        this.chunks.splice(0, this.head);
        this.head = 0;
      }
    } else {
      this.chunks[this.head] = chunk.subarray(n);
    }
    return taken;
  }
}
