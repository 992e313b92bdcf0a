// One connection's SASL authentication, as Kafka's SaslServerAuthenticator: first an optional
// ApiVersions, then SaslHandshake naming a mechanism, then the mechanism's tokens (in
// SaslAuthenticate requests after handshake v1, raw size-prefixed frames after v0). Any other
// request before the client is authenticated closes the connection, as does a second
// ApiVersions; an unsupported mechanism or a failed authentication is answered, then the
// connection is closed.
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import { readMessage, writeMessage } from '../protocol/schema.ts';
import type { ApiName } from '../protocol/api-keys.ts';
import { isFlexible } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse } from '../protocol/messages/sasl.ts';
import { SaslFailure, newExchange } from './mechanisms.ts';
import type { SaslConfig, SaslExchange, SaslMechanismName, ScramCredentials } from './mechanisms.ts';

/** What to send back: a body (closing the connection after it when `thenClose`), or a plain close. */
export type SaslReply = { body: Writer; flexible: boolean; thenClose: boolean } | 'close';

type Phase = 'handshake-or-versions' | 'handshake' | 'authenticate' | 'raw-token' | 'authenticated';

export class SaslAuthenticator {
  private phase: Phase = 'handshake-or-versions';
  private exchange: SaslExchange | undefined;

  constructor(
    private readonly config: SaslConfig,
    private readonly credentials: ScramCredentials,
  ) {}

  get authenticated(): boolean {
    return this.phase === 'authenticated';
  }

  /** After handshake v0 the next frames are bare SASL tokens, with no request header. */
  get expectsRawToken(): boolean {
    return this.phase === 'raw-token';
  }

  /** Whether an ApiVersions request may be served now; a served one moves on to the handshake. */
  admitApiVersions(versionSupported: boolean): boolean {
    if (this.phase !== 'handshake-or-versions') return false;
    if (versionSupported) this.phase = 'handshake';
    return true;
  }

  /** A request (other than ApiVersions) of a served version before authentication, past its header. */
  request(name: ApiName, apiVersion: number, r: Reader): SaslReply {
    if (name === 'SaslHandshake' && (this.phase === 'handshake-or-versions' || this.phase === 'handshake')) return this.handshake(apiVersion, r);
    if (name === 'SaslAuthenticate' && this.phase === 'authenticate') return this.authenticate(apiVersion, r);
    return 'close';
  }

  /** A raw token after handshake v0: the challenge to send back framed by its size, or close on failure. */
  rawToken(token: Buffer): Buffer | 'close' {
    try {
      const { challenge, complete } = this.exchange!.evaluate(token);
      if (complete) this.phase = 'authenticated';
      const frame = Buffer.alloc(4 + challenge.length);
      frame.writeInt32BE(challenge.length, 0);
      challenge.copy(frame, 4);
      return frame;
    } catch (err) {
      if (err instanceof SaslFailure) return 'close';
      throw err;
    }
  }

  private handshake(apiVersion: number, r: Reader): SaslReply {
    const { mechanism } = readMessage(SaslHandshakeRequest, r, apiVersion, false);
    const enabled = this.config.mechanisms.includes(mechanism as SaslMechanismName);
    const body = writeMessage(SaslHandshakeResponse, new Writer(), { errorCode: enabled ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [...this.config.mechanisms] }, apiVersion, false);
    if (!enabled) return { body, flexible: false, thenClose: true };
    this.exchange = newExchange(mechanism as SaslMechanismName, this.credentials);
    this.phase = apiVersion === 0 ? 'raw-token' : 'authenticate';
    return { body, flexible: false, thenClose: false };
  }

  private authenticate(apiVersion: number, r: Reader): SaslReply {
    const flexible = isFlexible('SaslAuthenticate', apiVersion);
    const { authBytes } = readMessage(SaslAuthenticateRequest, r, apiVersion, flexible);
    const reply = (res: { errorCode: number; errorMessage: string | null; authBytes: Buffer }, thenClose: boolean): SaslReply => ({
      body: writeMessage(SaslAuthenticateResponse, new Writer(), { ...res, sessionLifetimeMs: 0 }, apiVersion, flexible),
      flexible,
      thenClose,
    });
    try {
      const { challenge, complete } = this.exchange!.evaluate(authBytes);
      if (complete) this.phase = 'authenticated';
      return reply({ errorCode: ErrorCode.NONE, errorMessage: null, authBytes: challenge }, false);
    } catch (err) {
      if (!(err instanceof SaslFailure)) throw err;
      return reply({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: err.message, authBytes: Buffer.alloc(0) }, true);
    }
  }
}
