/**
 * The producer end of a channel to a subtask in another process. Elements are encoded
 * as they are pushed into the current network buffer; a buffer is finished when it is
 * full, when the buffer timeout expires, on flush(), on end of partition, or at once
 * with timeout 0. A finished buffer is sent if the receiver granted credit, otherwise
 * it waits in a backlog; hasCapacity() is false once the backlog holds `maxBacklog`
 * buffers, which stops a producer that checks it (as tasks do) with bounded memory.
 */
import { parseDuration } from '../../config/duration.ts';
import { WeirError } from '../../../errors/index.ts';
import type { StreamElement } from '../../stream-element.ts';
import { BufferWriter } from '../serialization/buffer-writer.ts';
import { ElementEncoder } from '../serialization/element-codec.ts';
import { DATA_FLAG_END, DATA_HEADER_BYTES, F_DATA } from './protocol.ts';

/** Timers for the buffer timeout; tests pass a manual one. */
export interface FlushScheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: FlushScheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface OutputChannelOptions {
  /** `execution.buffer-timeout` in ms: how long a partly filled buffer may wait. 0 sends every element at once. Default 100. */
  bufferTimeoutMs?: number;
  /** Bytes after which a buffer is sent without waiting (Flink's segment size). Default 32 KiB. */
  bufferSize?: number;
  /** Finished buffers held while the receiver grants no credit before hasCapacity() turns false. Default 2. */
  maxBacklog?: number;
  scheduler?: FlushScheduler;
}

export const DEFAULT_BUFFER_TIMEOUT_MS = 100;

/** `execution.buffer-timeout` from configuration (`100ms`, `0`, `1s`, a number of ms); unset is Flink's 100ms. */
export function bufferTimeoutFromConfig(value: string | number | undefined): number {
  return value === undefined ? DEFAULT_BUFFER_TIMEOUT_MS : parseDuration(value, 'execution.buffer-timeout');
}
export const DEFAULT_BUFFER_SIZE = 32 * 1024;
export const DEFAULT_MAX_BACKLOG = 2;

/** Connection side of an output channel. */
export interface FrameSink {
  send(frame: Buffer): void;
}

export class RemoteOutputChannel {
  /** Called when hasCapacity() turns true again, or when the channel failed (push then throws). */
  onCapacity: (() => void) | undefined;
  error: WeirError | undefined;
  buffersSent = 0;
  bytesSent = 0;

  private readonly writer: BufferWriter;
  private readonly encoder = new ElementEncoder();
  private count = 0;
  private flags = 0;
  private backlog: Buffer[] = [];
  private backlogHead = 0;
  private credits = 0;
  private timer: unknown;
  private ended = false;
  private readonly bufferTimeoutMs: number;
  private readonly bufferSize: number;
  private readonly maxBacklog: number;
  private readonly scheduler: FlushScheduler;
  private connected = false;
  private onConnected: (() => void) | undefined;
  private readonly onTimeout = (): void => {
    this.timer = undefined;
    if (this.count > 0 && this.error === undefined) this.finishBuffer();
  };

  constructor(
    readonly channelId: string,
    readonly handle: number,
    private readonly sink: FrameSink,
    options: OutputChannelOptions = {},
  ) {
    this.bufferTimeoutMs = options.bufferTimeoutMs ?? DEFAULT_BUFFER_TIMEOUT_MS;
    this.bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
    if (!(this.bufferTimeoutMs >= 0 && Number.isFinite(this.bufferTimeoutMs)) || !(this.bufferSize >= 1)) {
      throw new WeirError('INVALID_CONFIGURATION', `channel "${channelId}": buffer timeout ${this.bufferTimeoutMs}ms and buffer size ${this.bufferSize} must be non-negative and positive`, false);
    }
    this.maxBacklog = Math.max(1, options.maxBacklog ?? DEFAULT_MAX_BACKLOG);
    this.scheduler = options.scheduler ?? realScheduler;
    this.writer = new BufferWriter(this.bufferSize + 1024);
  }

  /** Buffers the receiver has granted and this side has not used yet. */
  get credit(): number {
    return this.credits;
  }

  /** Finished buffers waiting for credit. */
  get backlogBuffers(): number {
    return this.backlog.length - this.backlogHead;
  }

  get backlogBytes(): number {
    let n = 0;
    for (let i = this.backlogHead; i < this.backlog.length; i++) n += this.backlog[i]!.length;
    return n;
  }

  /** Elements in the buffer being filled. */
  get pendingElements(): number {
    return this.count;
  }

  /** True on failure too, so a waiting producer runs and push() reports the error. */
  hasCapacity(): boolean {
    return this.error !== undefined || this.backlog.length - this.backlogHead < this.maxBacklog;
  }

  /** Encodes `e` into the current buffer. Throws the channel's error once it failed. */
  push(e: StreamElement): void {
    if (this.error) throw this.error;
    if (this.ended) throw new WeirError('CHANNEL_ENDED', `channel "${this.channelId}" already sent its end of partition`, true);
    if (this.count === 0) this.writer.pos = DATA_HEADER_BYTES;
    this.encoder.encode(this.writer, e);
    this.count++;
    if (e.kind === 'end') {
      this.ended = true;
      this.flags |= DATA_FLAG_END;
      this.finishBuffer();
    } else if (this.bufferTimeoutMs === 0 || this.writer.pos >= this.bufferSize) {
      this.finishBuffer();
    } else if (this.count === 1) {
      this.timer = this.scheduler.setTimeout(this.onTimeout, this.bufferTimeoutMs);
    }
  }

  /** Finishes the current buffer now (sent if there is credit, else queued). */
  flush(): void {
    if (this.error) throw this.error;
    if (this.count > 0) this.finishBuffer();
  }

  /** Whether end of partition was pushed and every buffer has left. */
  get finished(): boolean {
    return this.ended && this.count === 0 && this.backlogBuffers === 0;
  }

  private finishBuffer(): void {
    if (this.timer !== undefined) {
      this.scheduler.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const w = this.writer;
    const b = w.buf;
    b.writeUInt32LE(w.pos - 4, 0);
    b[4] = F_DATA;
    b.writeUInt32LE(this.handle, 5);
    b[9] = this.flags;
    b.writeUInt32LE(this.count, 10);
    const frame = w.copy();
    this.count = 0;
    this.flags = 0;
    // A huge element grew the writer; do not keep that memory for every later buffer.
    if (w.buf.length > 4 * (this.bufferSize + 1024)) w.buf = Buffer.allocUnsafe(this.bufferSize + 1024);
    if (this.credits > 0 && this.backlogBuffers === 0) this.send(frame);
    else this.backlog.push(frame);
  }

  private send(frame: Buffer): void {
    this.credits--;
    this.buffersSent++;
    this.bytesSent += frame.length;
    this.sink.send(frame);
  }

  /**
   * Resolves once the receiver has registered the channel and granted its first credit,
   * or the channel failed: from then on, what is pushed can leave at once.
   */
  whenConnected(): Promise<void> {
    if (this.connected || this.error) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.onConnected;
      this.onConnected = () => {
        previous?.();
        resolve();
      };
    });
  }

  private markConnected(): void {
    this.connected = true;
    const notify = this.onConnected;
    this.onConnected = undefined;
    notify?.();
  }

  /** The receiver granted `n` more buffers. */
  addCredit(n: number): void {
    if (this.error) return;
    if (!this.connected) this.markConnected();
    const had = this.hasCapacity();
    this.credits += n;
    while (this.credits > 0 && this.backlogHead < this.backlog.length) {
      const frame = this.backlog[this.backlogHead]!;
      this.backlog[this.backlogHead++] = undefined as unknown as Buffer;
      this.send(frame);
    }
    if (this.backlogHead === this.backlog.length) {
      this.backlog = [];
      this.backlogHead = 0;
    }
    if (!had && this.hasCapacity()) this.onCapacity?.();
  }

  /** The connection failed or the receiver refused the channel. Ignored once everything was sent. */
  fail(err: WeirError): void {
    if (this.error || (this.finished && this.backlogBuffers === 0)) return;
    this.error = err;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.backlog = [];
    this.backlogHead = 0;
    this.markConnected();
    this.onCapacity?.();
  }
}
