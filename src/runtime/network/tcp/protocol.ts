/**
 * The wire format of a data connection: length-prefixed frames.
 *
 *   frame  = u32 LE bodyLength, body          (bodyLength counts the type byte)
 *   body   = u8 type, payload
 *   HELLO  = "WEIR", u8 version               (first frame in each direction)
 *   OPEN   = u32 handle, string channelId     (sender -> receiver: bind a handle to a channel)
 *   DATA   = u32 handle, u8 flags, u32 count, `count` encoded stream elements
 *            (one network buffer; flags bit 0: it carries the end of partition)
 *   CREDIT = u32 handle, u32 credits          (receiver -> sender: buffers it may send)
 *   ERROR  = u32 handle, string code, string message (receiver refuses a channel)
 *
 * Handles are chosen by the side that opens an output; DATA and OPEN carry the
 * sender's handles, CREDIT and ERROR refer to them back, so both sides may send on one
 * connection without clashes.
 */
import { WeirError } from '../../../errors/index.ts';
import { corruptFrame } from '../serialization/buffer-reader.ts';
import { BufferWriter } from '../serialization/buffer-writer.ts';

export const PROTOCOL_VERSION = 1;
export const F_HELLO = 1;
export const F_OPEN = 2;
export const F_DATA = 3;
export const F_CREDIT = 4;
export const F_ERROR = 5;

export const DATA_FLAG_END = 1;
/** u32 length, u8 type, u32 handle, u8 flags, u32 count. */
export const DATA_HEADER_BYTES = 14;
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

const MAGIC = Buffer.from('WEIR', 'latin1');

export function connectionLost(peer: string, cause?: unknown): WeirError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new WeirError('CONNECTION_LOST', `the data connection with ${peer} was lost${detail}`, true, { cause });
}

function frame(type: number, body: (w: BufferWriter) => void): Buffer {
  const w = new BufferWriter(64);
  w.u32(0);
  w.u8(type);
  body(w);
  w.u32At(0, w.pos - 4);
  return w.copy();
}

export const helloFrame = (): Buffer =>
  frame(F_HELLO, (w) => {
    w.bytes(MAGIC);
    w.u8(PROTOCOL_VERSION);
  });

export const openFrame = (handle: number, channelId: string): Buffer =>
  frame(F_OPEN, (w) => {
    w.u32(handle);
    w.string(channelId);
  });

export const creditFrame = (handle: number, credits: number): Buffer =>
  frame(F_CREDIT, (w) => {
    w.u32(handle);
    w.u32(credits);
  });

export const errorFrame = (handle: number, code: string, message: string): Buffer =>
  frame(F_ERROR, (w) => {
    w.u32(handle);
    w.string(code);
    w.string(message);
  });

export function checkHello(body: Buffer): void {
  if (body.length !== 6 || body[0] !== F_HELLO || !body.subarray(1, 5).equals(MAGIC)) throw corruptFrame('the peer is not a Weir data endpoint');
  if (body[5] !== PROTOCOL_VERSION) throw corruptFrame(`the peer speaks data protocol version ${body[5]}, this process ${PROTOCOL_VERSION}`);
}

/**
 * Cuts a byte stream into frame bodies. A body that lies inside one socket chunk is
 * passed as a view of it (no copy); only a body split across chunks is assembled.
 */
export class FrameParser {
  private partial: Buffer | undefined;
  private filled = 0;
  private readonly header = Buffer.alloc(4);
  private headerFilled = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (body: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      if (this.partial) {
        const take = Math.min(this.partial.length - this.filled, n - off);
        chunk.copy(this.partial, this.filled, off, off + take);
        this.filled += take;
        off += take;
        if (this.filled < this.partial.length) return;
        const body = this.partial;
        this.partial = undefined;
        this.onFrame(body);
        continue;
      }
      if (this.headerFilled > 0 || n - off < 4) {
        while (this.headerFilled < 4 && off < n) this.header[this.headerFilled++] = chunk[off++]!;
        if (this.headerFilled < 4) return;
        this.headerFilled = 0;
        this.startPartial(this.bodyLength(this.header.readUInt32LE(0)));
        continue;
      }
      const len = this.bodyLength(chunk.readUInt32LE(off));
      off += 4;
      if (n - off >= len) {
        this.onFrame(chunk.subarray(off, off + len));
        off += len;
      } else {
        this.startPartial(len);
      }
    }
  }

  private startPartial(len: number): void {
    this.partial = Buffer.allocUnsafe(len);
    this.filled = 0;
  }

  private bodyLength(len: number): number {
    if (len === 0 || len > this.maxFrameBytes) throw corruptFrame(`frame length ${len} outside 1..${this.maxFrameBytes}`);
    return len;
  }
}
