/**
 * Data exchange between processes: one NetworkEndpoint per process (TaskManager),
 * TCP connections between endpoints, and logical channels multiplexed over them.
 *
 *   const endpoint = await NetworkEndpoint.listen({ host: '127.0.0.1', port: 0 });
 *   endpoint.address                     // { host, port } to hand to peers
 *
 *   // consumer side: register before or after the producer opens; the channel holds
 *   // at most `capacity` network buffers and grants that many credits to its sender
 *   const input = endpoint.registerInput('job/v2/0<-v1/1', capacity, inputIndex?);
 *   input.consumer = task;               // notifyAvailable() on arrival, as LocalChannel
 *   input.size; input.poll();            // StreamElement | undefined; throws once failed
 *
 *   // producer side: one connection per peer endpoint (shared by all its channels)
 *   const conn = await endpoint.connect(peerAddress);
 *   const out = endpoint.openOutput(conn, 'job/v2/0<-v1/1', { bufferTimeoutMs: 100 });
 *   out.hasCapacity(); out.push(element); out.flush();
 *   out.onCapacity = () => wake(task);   // hasCapacity() turned true again
 *
 *   await endpoint.close();
 *
 * Channel ids are strings (numbers are turned into strings: 3 and '3' are the same
 * channel); an id names one producer->consumer channel, so one sender may open it.
 *
 * Flow control is Flink's credit-based scheme: the receiver grants one credit per
 * network buffer it can hold; a sender spends one per buffer sent and keeps buffers
 * without credit in a backlog of at most `maxBacklog` (then hasCapacity() is false),
 * so a consumer that does not poll stops its producer with bounded memory on both
 * sides: at most `capacity` buffers at the receiver, `maxBacklog` buffers plus the one
 * being filled at the sender, and no more than `capacity` buffers in the socket. The
 * bound holds for a producer that checks hasCapacity() before each step (push never
 * refuses, as with LocalChannel). A buffer is about `bufferSize` bytes (32 KiB), or one
 * element when a single element is larger.
 *
 * Batches, watermarks, idle/active status and end of partition travel in band, in
 * push order. The buffer timeout (`execution.buffer-timeout`) bounds how long a partly
 * filled buffer waits; end of partition is sent at once.
 *
 * Failures: a lost connection fails every unfinished channel on it, on both sides,
 * with WeirError CONNECTION_LOST (retriable: a restart can reconnect). A malformed
 * frame fails the connection with CORRUPT_FRAME (the peer then sees CONNECTION_LOST).
 * A failed output reports hasCapacity() true and throws from push(); a failed input
 * delivers what arrived before the failure, then reports size 1 and throws from
 * poll(), so a task waiting on either runs and sees the error. `onError` on the
 * endpoint hears about every connection failure too.
 */
import { createServer, connect as netConnect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { Connection } from './connection.ts';
import type { ConnectionHost } from './connection.ts';
import { DEFAULT_MAX_FRAME_BYTES } from './protocol.ts';
import { RemoteInputChannel } from './remote-input-channel.ts';
import type { OutputChannelOptions, RemoteOutputChannel } from './remote-output-channel.ts';

export type ChannelId = string | number;

export interface EndpointAddress {
  host: string;
  port: number;
}

export interface NetworkEndpointOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port (read it from `address`). */
  port?: number;
  /** Frames above this are treated as corrupt. Default 256 MiB. */
  maxFrameBytes?: number;
  /** Every connection failure (both directions), after its channels were failed. */
  onError?: (err: WeirError, peer: string) => void;
}

export class NetworkEndpoint {
  private readonly connections = new Set<Connection>();
  private readonly dialed = new Map<string, Promise<Connection>>();
  private readonly inputs = new Map<string, RemoteInputChannel>();
  /** Opens that arrived before their input was registered. */
  private readonly waitingOpens = new Map<string, { connection: Connection; handle: number }>();
  private closed = false;
  /** Kept off the public surface: only connections call these. */
  private readonly host: ConnectionHost = {
    openedByPeer: (c, handle, id) => this.openedByPeer(c, handle, id),
    closed: (c) => this.connectionClosed(c),
  };

  private constructor(
    private readonly server: Server,
    readonly address: EndpointAddress,
    private readonly options: NetworkEndpointOptions,
  ) {
    server.on('connection', (socket: Socket) => {
      if (this.closed) socket.destroy();
      else this.adopt(socket);
    });
  }

  static listen(options: NetworkEndpointOptions = {}): Promise<NetworkEndpoint> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', (err) => reject(new WeirError('NETWORK_LISTEN_FAILED', `cannot listen on ${host}:${options.port ?? 0}: ${err.message}`, true, { cause: err })));
      server.listen(options.port ?? 0, host, () => {
        const addr = server.address();
        const port = typeof addr === 'object' && addr ? addr.port : (options.port ?? 0);
        resolve(new NetworkEndpoint(server, { host, port }, options));
      });
    });
  }

  private adopt(socket: Socket): Connection {
    const c = new Connection(socket, this.host, this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.connections.add(c);
    return c;
  }

  /** The connection to `address`, shared by every channel to that endpoint; dials it if needed. */
  connect(address: EndpointAddress): Promise<Connection> {
    if (this.closed) return Promise.reject(new WeirError('ENDPOINT_CLOSED', 'the network endpoint is closed', true));
    const key = `${address.host}:${address.port}`;
    const existing = this.dialed.get(key);
    if (existing) return existing;
    const dialing = new Promise<Connection>((resolve, reject) => {
      const socket = netConnect({ host: address.host, port: address.port });
      const onError = (err: Error) => {
        this.dialed.delete(key);
        reject(new WeirError('CONNECTION_FAILED', `cannot open a data connection to ${key}: ${errorMessage(err)}`, true, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        if (this.closed) {
          socket.destroy();
          this.dialed.delete(key);
          return reject(new WeirError('ENDPOINT_CLOSED', 'the network endpoint was closed while connecting', true));
        }
        const c = this.adopt(socket);
        // A lost connection is dropped from the cache so the next connect() dials again.
        void c.whenClosed().then(() => {
          if (this.dialed.get(key) === dialing) this.dialed.delete(key);
        });
        resolve(c);
      });
    });
    this.dialed.set(key, dialing);
    return dialing;
  }

  openOutput(connection: Connection, channelId: ChannelId, options?: OutputChannelOptions): RemoteOutputChannel {
    return connection.openOutput(String(channelId), options);
  }

  /**
   * The consumer end of `channelId`. `capacity` is in network buffers (credits).
   * Registering an id again is allowed once its previous channel ended or failed
   * (a restarted task); otherwise it throws DUPLICATE_CHANNEL.
   */
  registerInput(channelId: ChannelId, capacity: number, input = 0): RemoteInputChannel {
    const id = String(channelId);
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new WeirError('INVALID_CONFIGURATION', `channel "${id}": capacity must be a positive integer, got ${capacity}`, false);
    const existing = this.inputs.get(id);
    if (existing && !existing.ended && !existing.error) throw new WeirError('DUPLICATE_CHANNEL', `input channel "${id}" is already registered`, true);
    const ch = new RemoteInputChannel(id, input, capacity);
    this.inputs.set(id, ch);
    const waiting = this.waitingOpens.get(id);
    if (waiting) {
      this.waitingOpens.delete(id);
      if (waiting.connection.open) waiting.connection.bindInput(waiting.handle, ch);
    }
    return ch;
  }

  /** Forgets an input (after it ended, or when its task is cancelled). */
  unregisterInput(channel: RemoteInputChannel): void {
    if (this.inputs.get(channel.channelId) === channel) this.inputs.delete(channel.channelId);
  }

  private openedByPeer(connection: Connection, handle: number, channelId: string): void {
    const ch = this.inputs.get(channelId);
    if (ch && !ch.bound && !ch.ended && !ch.error) return connection.bindInput(handle, ch);
    if (ch && !ch.ended && !ch.error) return connection.refuse(handle, 'DUPLICATE_CHANNEL', `channel "${channelId}" already has a sender`);
    // The consumer has not registered yet: it will, and the sender waits without credit.
    this.waitingOpens.set(channelId, { connection, handle });
  }

  private connectionClosed(connection: Connection): void {
    this.connections.delete(connection);
    for (const [id, w] of this.waitingOpens) if (w.connection === connection) this.waitingOpens.delete(id);
    if (connection.error) this.options.onError?.(connection.error, connection.peer);
  }

  /** Number of open connections (dialed and accepted). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops listening and closes every connection; their unfinished channels fail with ENDPOINT_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.close()));
    await serverClosed;
  }
}
