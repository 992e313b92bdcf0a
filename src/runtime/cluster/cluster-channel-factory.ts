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
import type { RemoteInputChannel } from '../network/tcp/remote-input-channel.ts';

export class ClusterChannelFactory implements ChannelFactory {
  readonly remote = true;
  private readonly inputs: RemoteInputChannel[] = [];

  constructor(
    /** Makes channel ids unique per job attempt: `<jobId>#<attempt>`. */
    private readonly scope: string,
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
      const out = this.endpoint.openOutput(this.connections.get(consumer)!, `${this.scope}/${spec.channelId}`, { bufferTimeoutMs: this.bufferTimeoutMs });
      out.onCapacity = spec.wake;
      output = out;
    }
    let input: InputChannel | undefined;
    if (consumer === this.self) {
      const remoteInput = this.endpoint.registerInput(`${this.scope}/${spec.channelId}`, spec.capacity, spec.input);
      this.inputs.push(remoteInput);
      input = remoteInput;
    }
    return { output, input };
  }

  /** Releases this attempt's input channels on the endpoint the TaskManager keeps. */
  async close(): Promise<void> {
    for (const input of this.inputs.splice(0)) this.endpoint.unregisterInput(input);
  }
}
