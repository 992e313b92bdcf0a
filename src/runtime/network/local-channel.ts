/**
 * An in-process channel between a producing and a consuming subtask: a FIFO of stream
 * elements with a capacity in buffers. A producer whose channels are full does not run,
 * which is how backpressure reaches the source with bounded memory.
 */
import type { StreamElement } from '../stream-element.ts';

export interface ChannelConsumer {
  /** Called when an element arrives, so a waiting consumer can be scheduled. */
  notifyAvailable(): void;
}

/** The consumer's end of a channel, local or remote. */
export interface InputChannel {
  /** Which input of the consumer (0 or 1 for two-input operators). */
  readonly input: number;
  /** Position among its input's channels (the watermark valve slot). */
  valveIndex: number;
  consumer: ChannelConsumer | undefined;
  readonly size: number;
  poll(): StreamElement | undefined;
}

/** The producer's end of a channel, local or remote. */
export interface OutputChannel {
  hasCapacity(): boolean;
  push(element: StreamElement): void;
}

export class LocalChannel implements InputChannel, OutputChannel {
  private queue: StreamElement[] = [];
  private head = 0;
  consumer: ChannelConsumer | undefined;
  /** Position of this channel among its input's channels (the watermark valve slot). */
  valveIndex = 0;

  constructor(
    /** Which input of the consumer (0 or 1 for two-input operators). */
    readonly input: number,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  hasCapacity(): boolean {
    return this.size < this.capacity;
  }

  push(element: StreamElement): void {
    this.queue.push(element);
    this.consumer?.notifyAvailable();
  }

  poll(): StreamElement | undefined {
    if (this.head >= this.queue.length) return undefined;
    const e = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as StreamElement;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return e;
  }
}
