// The TCP side: size-prefixed framing, request headers, one request at a time per connection
// (Kafka mutes a channel until its in-flight response is sent), dispatch and fault hooks.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError, Reader } from './protocol/reader.ts';
import { Writer } from './protocol/writer.ts';
import { ApiKey, SUPPORTED_VERSION, apiName } from './protocol/api-keys.ts';
import { ErrorCode } from './protocol/errors.ts';
import { HANDLERS } from './apis/index.ts';
import { apiVersionsUnsupported } from './apis/api-versions.ts';
import { CLOSE_CONNECTION } from './apis/context.ts';
import type { HandlerResult } from './apis/context.ts';
import type { BrokerState } from './broker-state.ts';
import type { Faults } from './faults.ts';

/** socket.request.max.bytes */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export class KafkaServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** Called with errors no client can be told about (bugs in a handler); tests may surface them. */
  onError: (err: unknown) => void = (err) => console.error('kafka test broker:', err);

  constructor(
    private readonly state: BrokerState,
    private readonly faults: Faults,
  ) {}

  listen(port: number, host: string): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const addr = server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });
  }

  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropConnections();
    this.state.wakeAll();
    if (server === null) return;
    await new Promise<void>((resolve, reject) => server.close((err) => (err === undefined ? resolve() : reject(err))));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    const queue: Buffer[] = [];
    let busy = false;
    const pump = async (): Promise<void> => {
      busy = true;
      try {
        for (let frame = queue.shift(); frame !== undefined && !socket.destroyed; frame = queue.shift()) await this.handle(frame, socket);
      } finally {
        busy = false;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 0 || size > MAX_REQUEST_BYTES) {
          socket.destroy();
          return;
        }
        if (pending.length < 4 + size) break;
        queue.push(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
      }
      if (!busy && queue.length > 0) {
        pump().catch((err: unknown) => {
          // A request we cannot parse closes the connection, as Kafka does.
          socket.destroy();
          if (!(err instanceof ProtocolError)) this.onError(err);
        });
      }
    });
    socket.on('error', () => socket.destroy()); // client resets are routine; the close event cleans up
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async handle(frame: Buffer, socket: net.Socket): Promise<void> {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString() ?? '';
    if (this.faults.shouldDrop(apiKey, clientId, false)) {
      socket.destroy();
      return;
    }
    const name = apiName(apiKey);
    const handler = HANDLERS.get(apiKey);
    let body: HandlerResult;
    if (name === undefined || handler === undefined || apiVersion !== SUPPORTED_VERSION[name]) {
      // Unknown APIs and versions get an error code rather than a dropped connection.
      body = apiKey === ApiKey.ApiVersions ? apiVersionsUnsupported() : new Writer().int16(ErrorCode.UNSUPPORTED_VERSION);
    } else {
      body = await handler(r, {
        state: this.state,
        apiVersion,
        clientId,
        clientHost: `/${socket.remoteAddress ?? '127.0.0.1'}`,
        injectedError: this.faults.errorFor(apiKey, clientId),
        isClosed: () => socket.destroyed,
      });
    }
    if (body === CLOSE_CONNECTION || this.faults.shouldDrop(apiKey, clientId, true)) {
      socket.destroy();
      return;
    }
    const delay = this.faults.delayFor(apiKey, clientId);
    if (delay > 0) await sleep(delay);
    if (body === null || socket.destroyed) return;
    const payload = body.build();
    const head = Buffer.allocUnsafe(8);
    head.writeInt32BE(payload.length + 4, 0);
    head.writeInt32BE(correlationId, 4);
    socket.write(Buffer.concat([head, payload]));
  }
}
