/**
 * One TCP connection between two endpoints, multiplexing many logical channels in
 * both directions. Routes frames to channels, batches small writes (cork until the
 * end of the tick) and credit grants (one CREDIT frame per channel per tick), and on
 * loss fails every channel on it that had not finished.
 */
import type { ErrorCode } from '../../../errors/index.ts';
import type { Socket } from 'node:net';
import { WeirError, errorCodeOf } from '../../../errors/index.ts';
import { BufferReader, corruptFrame } from '../serialization/buffer-reader.ts';
import { DATA_FLAG_END, F_CREDIT, F_DATA, F_ERROR, F_OPEN, FrameParser, checkHello, connectionLost, creditFrame, errorFrame, helloFrame, openFrame } from './protocol.ts';
import type { CreditSink, RemoteInputChannel } from './remote-input-channel.ts';
import { RemoteOutputChannel } from './remote-output-channel.ts';
import type { FrameSink, OutputChannelOptions } from './remote-output-channel.ts';

/** What a connection needs from its endpoint. */
export interface ConnectionHost {
  /** A peer opened `channelId` under `handle`: bind the registered input (now or when it is registered). */
  openedByPeer(connection: Connection, handle: number, channelId: string): void;
  closed(connection: Connection): void;
}

export class Connection implements FrameSink, CreditSink {
  /** Why the connection ended; undefined while open or after a clean local close. */
  error: WeirError | undefined;
  readonly peer: string;
  private readonly outputs = new Map<number, RemoteOutputChannel>();
  private readonly inputs = new Map<number, RemoteInputChannel>();
  private nextHandle = 1;
  private helloSeen = false;
  private corked = false;
  private pendingCredits = new Map<number, number>();
  private creditsScheduled = false;
  private closing = false;
  private isClosed = false;
  private readonly closedPromise: Promise<WeirError | undefined>;
  private resolveClosed!: (err: WeirError | undefined) => void;
  private readonly parser: FrameParser;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
    maxFrameBytes: number,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.parser = new FrameParser(maxFrameBytes, (body) => this.onFrame(body));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.parser.push(chunk);
      } catch (err) {
        this.fail(err instanceof WeirError ? err : connectionLost(this.peer, err));
      }
    });
    socket.on('error', (err) => this.fail(connectionLost(this.peer, err)));
    socket.on('close', () => this.onSocketClosed());
    this.send(helloFrame());
  }

  /** Resolves when the socket has closed, with the error that ended it if any (never rejects). */
  whenClosed(): Promise<WeirError | undefined> {
    return this.closedPromise;
  }

  get open(): boolean {
    return !this.isClosed && !this.closing && this.error === undefined;
  }

  openOutput(channelId: string, options?: OutputChannelOptions): RemoteOutputChannel {
    if (!this.open) throw this.error ?? connectionLost(this.peer);
    const handle = this.nextHandle++;
    const ch = new RemoteOutputChannel(channelId, handle, this, options);
    this.outputs.set(handle, ch);
    this.send(openFrame(handle, channelId));
    return ch;
  }

  /** Binds a registered input to the peer's handle. */
  bindInput(handle: number, input: RemoteInputChannel): void {
    this.inputs.set(handle, input);
    input.bind(this, handle);
  }

  refuse(handle: number, code: ErrorCode, message: string): void {
    this.send(errorFrame(handle, code, message));
  }

  send(frame: Buffer): void {
    if (this.isClosed) return;
    // Cork until the end of the tick so the frames of one task step leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  grantCredit(handle: number, credits: number): void {
    if (credits <= 0 || !this.open) return;
    this.pendingCredits.set(handle, (this.pendingCredits.get(handle) ?? 0) + credits);
    if (this.creditsScheduled) return;
    this.creditsScheduled = true;
    process.nextTick(() => {
      this.creditsScheduled = false;
      const grants = this.pendingCredits;
      this.pendingCredits = new Map();
      for (const [h, n] of grants) this.send(creditFrame(h, n));
    });
  }

  private onFrame(body: Buffer): void {
    if (!this.helloSeen) {
      checkHello(body);
      this.helloSeen = true;
      return;
    }
    const r = new BufferReader(body, 1);
    switch (body[0]) {
      case F_DATA: {
        const handle = r.u32();
        const flags = r.u8();
        const count = r.u32();
        const input = this.inputs.get(handle);
        if (!input) throw corruptFrame(`data for unknown channel handle ${handle}`);
        if (!input.receive(body, r.pos, count, (flags & DATA_FLAG_END) !== 0)) {
          throw new WeirError('PROTOCOL_VIOLATION', `${this.peer} sent more buffers than channel "${input.channelId}" granted`, true);
        }
        return;
      }
      case F_CREDIT: {
        const handle = r.u32();
        const credits = r.u32();
        // Credit for an output this side already dropped is harmless.
        this.outputs.get(handle)?.addCredit(credits);
        return;
      }
      case F_OPEN: {
        const handle = r.u32();
        this.host.openedByPeer(this, handle, r.string());
        return;
      }
      case F_ERROR: {
        const handle = r.u32();
        const code = r.string();
        const message = r.string();
        this.outputs.get(handle)?.fail(new WeirError(errorCodeOf(code, 'PROTOCOL_VIOLATION'), message, true));
        return;
      }
      default:
        throw corruptFrame(`unknown frame type ${body[0]}`);
    }
  }

  /** Fails the connection and every unfinished channel on it. */
  fail(err: WeirError): void {
    if (this.error || this.isClosed) return;
    this.error = err;
    this.failChannels(err);
    this.socket.destroy();
  }

  private failChannels(err: WeirError): void {
    for (const ch of this.outputs.values()) ch.fail(err);
    for (const ch of this.inputs.values()) ch.fail(err);
  }

  private onSocketClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (!this.error) {
      const err = this.closing ? new WeirError('ENDPOINT_CLOSED', `the data connection with ${this.peer} was closed by this process`, true) : connectionLost(this.peer);
      if (!this.closing) this.error = err;
      this.failChannels(err);
    }
    this.host.closed(this);
    this.resolveClosed(this.error);
  }

  /** Ends the connection after queued frames are written; resolves when the socket closed. */
  async close(): Promise<void> {
    if (!this.isClosed) {
      this.closing = true;
      this.socket.end();
      const timer = setTimeout(() => this.socket.destroy(), 2000);
      await this.closedPromise;
      clearTimeout(timer);
    }
  }
}
