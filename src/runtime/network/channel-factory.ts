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
  /** Whether subtask s (of every vertex) runs in this process; all do when absent. */
  isLocal?(subtask: number): boolean;
  /** The ends of one channel that are in this process: the producer's, the consumer's, or both. */
  create(spec: ChannelSpec): { output: OutputChannel | undefined; input: InputChannel | undefined };
  /**
   * Resolves when every output channel created so far can send: its consumer (maybe in
   * a process that deploys later) has registered. Tasks start after it, so the first
   * records do not wait in buffers while the rest of the job is still being deployed.
   */
  connected?(): Promise<void>;
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
