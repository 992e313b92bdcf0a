// The TCP side: size-prefixed framing, request headers (v1, or v2 with tagged fields for
// flexible versions), one request at a time per connection (Kafka mutes a channel until its
// in-flight response is sent), dispatch and fault hooks. An unknown API or unsupported
// version closes the connection as Kafka does, except ApiVersions, which is answered in v0.
// On a SASL listener each connection authenticates first (sasl/authenticator.ts); on an SSL
// listener all of it runs inside TLS (listener.ts), so the protocol code never sees the difference.
import net from 'node:net';
import tls from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError, Reader } from './protocol/reader.ts';
import { Writer } from './protocol/writer.ts';
import { FrameDecoder } from './protocol/framing.ts';
import { apiName, isFlexible, isSupported } from './protocol/api-keys.ts';
import { HANDLERS } from './apis/index.ts';
import { apiVersionsUnsupported } from './apis/api-versions.ts';
import { CLOSE_CONNECTION } from './apis/context.ts';
import type { BrokerState } from './broker-state.ts';
import type { Faults } from './faults.ts';
import { SaslAuthenticator } from './sasl/authenticator.ts';
import { ScramCredentials } from './sasl/mechanisms.ts';
import type { SaslConfig } from './sasl/mechanisms.ts';
import { rejectsPeer, tlsServerOptions } from './listener.ts';
import type { TlsConfig } from './listener.ts';

export interface ListenerSecurity {
  /** SASL_PLAINTEXT (SASL_SSL with tls) when given. */
  readonly sasl?: SaslConfig;
  /** SSL (SASL_SSL with sasl) when given. */
  readonly tls?: TlsConfig;
}

/** socket.request.max.bytes */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

export class KafkaServer {
  private server: net.Server | null = null;
  /** Every TCP connection, TLS handshakes under way included, so a close never waits on one. */
  private readonly sockets = new Set<net.Socket>();
  /** TLS handshakes that failed or whose client certificate was refused (tlsClientError and the like). */
  tlsHandshakesFailed = 0;
  /** Called with errors no client can be told about (bugs in a handler); tests may surface them. */
  onError: (err: unknown) => void = (err) => console.error('kafka test broker:', err);

  private readonly credentials: ScramCredentials | undefined;
  private readonly sasl: SaslConfig | undefined;
  private readonly tls: TlsConfig | undefined;
  private readonly tlsOptions: tls.TlsOptions | undefined;

  constructor(
    private readonly state: BrokerState,
    private readonly faults: Faults,
    security: ListenerSecurity = {},
  ) {
    this.sasl = security.sasl;
    this.tls = security.tls;
    if (this.sasl) this.credentials = new ScramCredentials(this.sasl.users, this.sasl.mechanisms);
    if (this.tls) this.tlsOptions = tlsServerOptions(this.tls);
  }

  listen(port: number, host: string): Promise<number> {
    const server = this.tlsOptions ? tls.createServer(this.tlsOptions, (socket) => this.acceptTls(socket)) : net.createServer((socket) => this.accept(socket));
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A client that does not trust the broker, or whose certificate the broker refuses, fails
    // the handshake: routine, and the client sees it; the socket is already gone.
    server.on('tlsClientError', () => this.tlsHandshakesFailed++);
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

  /** Destroys every client connection; returns how many there were. */
  dropConnections(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    return n;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.dropConnections();
    this.state.wakeAll();
    if (server === null) return;
    await new Promise<void>((resolve, reject) => server.close((err) => (err === undefined ? resolve() : reject(err))));
  }

  private acceptTls(socket: tls.TLSSocket): void {
    const clientAuth = this.tls?.clientAuth ?? 'none';
    if (rejectsPeer(clientAuth, socket.authorized, Object.keys(socket.getPeerCertificate()).length > 0)) {
      this.tlsHandshakesFailed++;
      socket.destroy();
      return;
    }
    this.accept(socket);
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const decoder = new FrameDecoder(MAX_REQUEST_BYTES);
    const auth = this.sasl && this.credentials ? new SaslAuthenticator(this.sasl, this.credentials) : null;
    const queue: Buffer[] = [];
    let busy = false;
    const pump = async (): Promise<void> => {
      busy = true;
      try {
        for (let frame = queue.shift(); frame !== undefined && !socket.destroyed && !socket.writableEnded; frame = queue.shift()) await this.handle(frame, socket, auth);
      } finally {
        busy = false;
      }
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        queue.push(...decoder.push(chunk));
      } catch {
        // Larger than socket.request.max.bytes or a negative size: Kafka closes the connection.
        socket.destroy();
        return;
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
  }

  private async handle(frame: Buffer, socket: net.Socket, auth: SaslAuthenticator | null): Promise<void> {
    if (auth?.expectsRawToken) {
      const reply = auth.rawToken(frame);
      if (reply === 'close') socket.destroy();
      else socket.write(reply);
      return;
    }
    const r = new Reader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString() ?? ''; // a classic string in every header version
    if (this.faults.shouldDrop(apiKey, clientId, false)) {
      socket.destroy();
      return;
    }
    const name = apiName(apiKey);
    const handler = HANDLERS.get(apiKey);
    let body: Writer | null | typeof CLOSE_CONNECTION;
    let flexible = false;
    let thenClose = false;
    if (auth && !auth.authenticated && !(name === 'ApiVersions' && auth.admitApiVersions(isSupported(name, apiVersion)))) {
      if (name === undefined || !isSupported(name, apiVersion)) {
        socket.destroy();
        return;
      }
      if (isFlexible(name, apiVersion)) r.skipTaggedFields();
      const reply = auth.request(name, apiVersion, r);
      if (reply === 'close') {
        socket.destroy();
        return;
      }
      ({ body, flexible, thenClose } = reply);
    } else if (name === 'ApiVersions' && !isSupported(name, apiVersion)) {
      // The client may be newer than us: answer in v0 so it can retry with a version we know.
      body = apiVersionsUnsupported();
    } else if (name === undefined || handler === undefined || !isSupported(name, apiVersion)) {
      socket.destroy();
      return;
    } else {
      flexible = isFlexible(name, apiVersion);
      if (flexible) r.skipTaggedFields();
      body = await handler.handle(r, {
        state: this.state,
        apiVersion,
        clientId,
        clientHost: `/${socket.remoteAddress ?? '127.0.0.1'}`,
        injectedError: this.faults.errorFor(apiKey, clientId),
        isClosed: () => socket.destroyed,
      }, flexible);
    }
    if (body === CLOSE_CONNECTION || this.faults.shouldDrop(apiKey, clientId, true)) {
      socket.destroy();
      return;
    }
    const delay = this.faults.delayFor(apiKey, clientId);
    if (delay > 0) await sleep(delay);
    if (body === null || socket.destroyed) return;
    // Response header v1 (tagged fields) for flexible versions, except ApiVersions, whose
    // header stays v0 so a client can read it before it knows which versions we speak.
    const head = new Writer().int32(0).int32(correlationId);
    if (flexible && name !== 'ApiVersions') head.noTaggedFields();
    const headBuf = head.build();
    const payload = body.build();
    headBuf.writeInt32BE(headBuf.length - 4 + payload.length, 0);
    // Two writes in one cork: no copy of a large fetch response, one segment on the wire.
    socket.cork();
    socket.write(headBuf);
    socket.write(payload);
    socket.uncork();
    // A refused mechanism or failed authentication: Kafka sends the answer, then closes.
    if (thenClose) socket.end();
  }
}
