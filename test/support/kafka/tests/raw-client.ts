// A minimal Kafka client for protocol-level tests: frames requests and matches responses by
// correlation id, so tests can send what real clients never would (bad CRCs, unknown APIs).
import net from 'node:net';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';

export class RawClient {
  private nextId = 1;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly waiting = new Map<number, (body: Reader) => void>();
  /** Takes the next frame whole (a SASL token after SaslHandshake v0 has no response header). */
  private rawWaiter: ((frame: Buffer) => void) | undefined;
  readonly received: number[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('close', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const frame = this.buffered.subarray(4, 4 + this.buffered.readInt32BE(0));
        this.buffered = this.buffered.subarray(4 + frame.length);
        const raw = this.rawWaiter;
        this.rawWaiter = undefined;
        if (raw) {
          raw(Buffer.from(frame));
          continue;
        }
        const r = new Reader(frame);
        const id = r.int32();
        this.received.push(id);
        this.waiting.get(id)?.(r);
        this.waiting.delete(id);
      }
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  /**
   * Sends a request; the promise resolves with the response body after the correlation id (a
   * flexible response's header tagged fields are left for the caller, as ApiVersions has none).
   * `flexible` writes request header v2, whose tagged fields follow the client id.
   */
  send(apiKey: number, version: number, body: Writer, flexible = false): { id: number; response: Promise<Reader> } {
    const id = this.nextId++;
    const header = new Writer().int16(apiKey).int16(version).int32(id).string('raw-client');
    if (flexible) header.noTaggedFields();
    const payload = header.raw(body.build()).build();
    const response = new Promise<Reader>((resolve) => this.waiting.set(id, resolve));
    this.socket.write(new Writer().int32(payload.length).raw(payload).build());
    return { id, response };
  }

  /** Sends a bare size-prefixed SASL token (after SaslHandshake v0); resolves with the bare reply. */
  rawToken(token: Buffer): Promise<Buffer> {
    const reply = new Promise<Buffer>((resolve) => (this.rawWaiter = resolve));
    this.socket.write(new Writer().int32(token.length).raw(token).build());
    return reply;
  }

  request(apiKey: number, version: number, body: Writer, flexible = false): Promise<Reader> {
    return this.send(apiKey, version, body, flexible).response;
  }

  /** Resolves once the broker has closed this connection. */
  closedByPeer(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
