/**
 * Channels over the TCP data plane between `processes` network endpoints, with subtask i
 * placed on endpoint i mod processes: what TaskManagers do across processes, here inside
 * one process so results can be compared with in-process channels.
 */
import type { ChannelFactory, ChannelSpec } from '../channel-factory.ts';
import type { InputChannel, OutputChannel } from '../local-channel.ts';
import type { Connection } from './connection.ts';
import { NetworkEndpoint } from './network-endpoint.ts';

export class TcpChannelFactory implements ChannelFactory {
  readonly remote = true;

  private constructor(
    private readonly endpoints: NetworkEndpoint[],
    private readonly connections: Connection[][],
    private readonly bufferTimeoutMs: number,
  ) {}

  static async create(processes: number, bufferTimeoutMs = 100): Promise<TcpChannelFactory> {
    const endpoints = await Promise.all(Array.from({ length: processes }, () => NetworkEndpoint.listen({ host: '127.0.0.1', port: 0 })));
    const connections = await Promise.all(endpoints.map((from) => Promise.all(endpoints.map((to) => from.connect(to.address)))));
    return new TcpChannelFactory(endpoints, connections, bufferTimeoutMs);
  }

  create(spec: ChannelSpec): { output: OutputChannel; input: InputChannel } {
    const from = spec.producerSubtask % this.endpoints.length;
    const to = spec.consumerSubtask % this.endpoints.length;
    const input = this.endpoints[to]!.registerInput(spec.channelId, spec.capacity, spec.input);
    const output = this.endpoints[from]!.openOutput(this.connections[from]![to]!, spec.channelId, { bufferTimeoutMs: this.bufferTimeoutMs });
    output.onCapacity = spec.wake;
    return { output, input };
  }

  async close(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.close()));
  }
}
