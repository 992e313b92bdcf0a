/**
 * Channels for one slot of a TaskManager, which runs subtask `self` of every vertex in
 * its own worker thread: between two of its own subtasks an in-process queue, otherwise
 * the producer's side or the consumer's side of a TCP channel to the slot that runs the
 * other subtask (a sibling slot over loopback, or a slot of a peer TaskManager). Both
 * sides derive the same channel id.
 */
import type { ChannelFactory, ChannelSpec } from '../network/channel-factory.ts';
import { LocalChannel } from '../network/local-channel.ts';
import type { InputChannel, OutputChannel } from '../network/local-channel.ts';
import type { Connection } from '../network/tcp/connection.ts';
import type { NetworkEndpoint } from '../network/tcp/network-endpoint.ts';
import type { RemoteInputChannel } from '../network/tcp/remote-input-channel.ts';
import type { RemoteOutputChannel } from '../network/tcp/remote-output-channel.ts';

export class SlotChannelFactory implements ChannelFactory {
  readonly remote = true;
  private readonly inputs: RemoteInputChannel[] = [];
  private readonly outputs: RemoteOutputChannel[] = [];

  constructor(
    /** Makes channel ids unique per job attempt: `<jobId>#<attempt>`. */
    private readonly scope: string,
    private readonly endpoint: NetworkEndpoint,
    /** The subtask index this slot runs. */
    private readonly self: number,
    /** connections.get(s): the data connection to the slot that runs subtask s. */
    private readonly connections: ReadonlyMap<number, Connection>,
    private readonly bufferTimeoutMs: number,
  ) {}

  isLocal(subtask: number): boolean {
    return subtask === this.self;
  }

  create(spec: ChannelSpec): { output: OutputChannel | undefined; input: InputChannel | undefined } {
    const { producerSubtask: producer, consumerSubtask: consumer } = spec;
    if (producer === this.self && consumer === this.self) {
      const channel = new LocalChannel(spec.input, spec.capacity);
      return { output: channel, input: channel };
    }
    let output: OutputChannel | undefined;
    if (producer === this.self) {
      const out = this.endpoint.openOutput(this.connections.get(consumer)!, `${this.scope}/${spec.channelId}`, { bufferTimeoutMs: this.bufferTimeoutMs });
      out.onCapacity = spec.wake;
      this.outputs.push(out);
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

  async connected(): Promise<void> {
    await Promise.all(this.outputs.map((o) => o.whenConnected()));
  }

  /** Releases this attempt's input channels on the endpoint the slot keeps. */
  async close(): Promise<void> {
    for (const input of this.inputs.splice(0)) this.endpoint.unregisterInput(input);
  }
}
