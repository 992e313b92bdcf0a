/**
 * Where the channels between subtasks come from: in-process queues, or (for tasks in
 * different processes) the TCP data plane. The executor asks for one channel per
 * producer/consumer pair and never needs to know which kind it got.
 */
import { LocalChannel } from './local-channel.ts';
import type { InputChannel, OutputChannel } from './local-channel.ts';

export interface ChannelSpec {
  /** Unique within the job: names the edge and both subtasks. */
  readonly channelId: string;
  readonly input: number;
  /** Buffers the consumer side holds before the producer is backpressured. */
  readonly capacity: number;
  readonly producerSubtask: number;
  readonly consumerSubtask: number;
  /** Called when a blocked producer may continue (remote credit arrived). */
  readonly wake: () => void;
}

export interface ChannelFactory {
  /** True when data travels outside the executor loop, which must then wait for it. */
  readonly remote: boolean;
  create(spec: ChannelSpec): { output: OutputChannel; input: InputChannel };
  close(): Promise<void>;
}

export const localChannels: ChannelFactory = {
  remote: false,
  create(spec) {
    const channel = new LocalChannel(spec.input, spec.capacity);
    return { output: channel, input: channel };
  },
  async close() {},
};
