/**
 * Channels for a TaskManager that runs some of a job's subtasks: between two local
 * subtasks an in-process queue, otherwise the producer's side or the consumer's side of
 * a TCP channel to the peer TaskManager. Both sides derive the same channel id.
 */
import type { ChannelFactory, ChannelSpec } from '../network/channel-factory.ts';
import { LocalChannel } from '../network/local-channel.ts';
import type { InputChannel, OutputChannel } from '../network/local-channel.ts';
import type { Connection } from '../network/tcp/connection.ts';
import type { NetworkEndpoint } from '../network/tcp/network-endpoint.ts';

export class ClusterChannelFactory implements ChannelFactory {
  readonly remote = true;

  constructor(
    private readonly endpoint: NetworkEndpoint,
    private readonly self: string,
    private readonly slotOwners: readonly string[],
    private readonly connections: ReadonlyMap<string, Connection>,
    private readonly bufferTimeoutMs: number,
  ) {}

  isLocal(subtask: number): boolean {
    return this.slotOwners[subtask] === this.self;
  }

  create(spec: ChannelSpec): { output: OutputChannel | undefined; input: InputChannel | undefined } {
    const producer = this.slotOwners[spec.producerSubtask]!;
    const consumer = this.slotOwners[spec.consumerSubtask]!;
    if (producer === this.self && consumer === this.self) {
      const channel = new LocalChannel(spec.input, spec.capacity);
      return { output: channel, input: channel };
    }
    let output: OutputChannel | undefined;
    if (producer === this.self) {
      const out = this.endpoint.openOutput(this.connections.get(consumer)!, spec.channelId, { bufferTimeoutMs: this.bufferTimeoutMs });
      out.onCapacity = spec.wake;
      output = out;
    }
    const input = consumer === this.self ? this.endpoint.registerInput(spec.channelId, spec.capacity, spec.input) : undefined;
    return { output, input };
  }

  async close(): Promise<void> {}
}
