/**
 * The consumer end of a channel from a subtask in another process, shaped like
 * LocalChannel's consumer side (input, capacity, valveIndex, consumer, size, poll) so a
 * StreamTask can read either. It holds at most `capacity` network buffers, decodes
 * elements lazily as they are polled (the decoding work lands on the consuming task),
 * and grants the sender one credit back for each buffer fully polled.
 */
import { WeirError } from '../../../errors/index.ts';
import type { StreamElement } from '../../stream-element.ts';
import type { ChannelConsumer } from '../local-channel.ts';
import { BufferReader, corruptFrame } from '../serialization/buffer-reader.ts';
import { ElementDecoder } from '../serialization/element-codec.ts';

/** A received DATA frame: elements start at `start` in `body`. */
interface ReceivedBuffer {
  body: Buffer;
  start: number;
  count: number;
}

/** How the channel reaches its sender; set while it is bound to a connection. */
export interface CreditSink {
  grantCredit(handle: number, credits: number): void;
}

export class RemoteInputChannel {
  consumer: ChannelConsumer | undefined;
  /** Position of this channel among its input's channels (the watermark valve slot). */
  valveIndex = 0;
  error: WeirError | undefined;
  buffersReceived = 0;

  private buffers: ReceivedBuffer[] = [];
  private head = 0;
  private queued = 0;
  private reader: BufferReader | undefined;
  private leftInBuffer = 0;
  private readonly decoder = new ElementDecoder();
  private sink: CreditSink | undefined;
  private handle = 0;
  /** The sender's end of partition has arrived (maybe not yet polled). */
  endReceived = false;
  /** The end of partition has been polled: nothing more will come. */
  ended = false;

  constructor(
    readonly channelId: string,
    /** Which input of the consumer (0 or 1 for two-input operators). */
    readonly input: number,
    /** Network buffers this channel can hold, i.e. the credit it grants its sender. */
    readonly capacity: number,
  ) {}

  get bound(): boolean {
    return this.sink !== undefined;
  }

  /** Elements ready to poll; at least 1 once failed, so a waiting task runs and sees the error. */
  get size(): number {
    return this.queued > 0 || this.error === undefined ? this.queued : 1;
  }

  /** Received buffers not yet fully polled (never above capacity). */
  get bufferedBuffers(): number {
    return this.buffers.length - this.head;
  }

  /** Binds the channel to a sender and grants it the whole capacity. */
  bind(sink: CreditSink, handle: number): void {
    this.sink = sink;
    this.handle = handle;
    sink.grantCredit(handle, this.capacity - this.bufferedBuffers);
  }

  /** Called by the connection for each DATA frame; false if the sender overran its credit. */
  receive(body: Buffer, start: number, count: number, end: boolean): boolean {
    if (this.bufferedBuffers >= this.capacity) return false;
    if (count === 0) throw corruptFrame('an empty data buffer');
    this.buffers.push({ body, start, count });
    this.queued += count;
    this.buffersReceived++;
    if (end) this.endReceived = true;
    this.consumer?.notifyAvailable();
    return true;
  }

  /**
   * Next element, or undefined if none is ready. Elements that arrived before a failure
   * are delivered first; then the failure is thrown.
   */
  poll(): StreamElement | undefined {
    if (this.queued === 0) {
      if (this.error) throw this.error;
      return undefined;
    }
    if (this.leftInBuffer === 0) {
      const b = this.buffers[this.head]!;
      this.reader = new BufferReader(b.body, b.start);
      this.leftInBuffer = b.count;
    }
    const r = this.reader!;
    let e: StreamElement;
    try {
      e = this.decoder.decode(r);
    } catch (err) {
      // A buffer that does not decode poisons the channel: later polls throw the same error.
      this.error = err instanceof WeirError ? err : corruptFrame(String(err));
      this.queued = 0;
      this.buffers = [];
      this.head = 0;
      this.leftInBuffer = 0;
      throw this.error;
    }
    this.queued--;
    if (--this.leftInBuffer === 0) this.releaseBuffer(r);
    if (e.kind === 'end') this.ended = true;
    return e;
  }

  private releaseBuffer(r: BufferReader): void {
    if (r.remaining !== 0) throw corruptFrame(`${r.remaining} bytes after the last element of a buffer`);
    this.reader = undefined;
    this.buffers[this.head++] = undefined as unknown as ReceivedBuffer;
    if (this.head === this.buffers.length) {
      this.buffers = [];
      this.head = 0;
    }
    // No credit after the end: the sender will not use it.
    if (!this.endReceived) this.sink?.grantCredit(this.handle, 1);
  }

  /** The sender's connection failed. Ignored once the end of partition arrived. */
  fail(err: WeirError): void {
    if (this.endReceived || this.error) return;
    this.error = err;
    this.sink = undefined;
    this.consumer?.notifyAvailable();
  }
}
