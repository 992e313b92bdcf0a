/** The TCP data plane: endpoints, connections and remote channels (see network-endpoint.ts). */
export { NetworkEndpoint } from './network-endpoint.ts';
export type { ChannelId, EndpointAddress, NetworkEndpointOptions } from './network-endpoint.ts';
export { Connection } from './connection.ts';
export { RemoteInputChannel } from './remote-input-channel.ts';
export { RemoteOutputChannel, bufferTimeoutFromConfig, DEFAULT_BUFFER_SIZE, DEFAULT_BUFFER_TIMEOUT_MS, DEFAULT_MAX_BACKLOG } from './remote-output-channel.ts';
export type { FlushScheduler, OutputChannelOptions } from './remote-output-channel.ts';
