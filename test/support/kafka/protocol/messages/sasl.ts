// SaslHandshake and SaslAuthenticate request/response layouts (Kafka's SaslHandshake* and
// SaslAuthenticate* message definitions: handshake 0-1, never flexible; authenticate 0-2,
// flexible from 2).
import { f, struct, t } from '../schema.ts';

export const SaslHandshakeRequest = struct({
  mechanism: f.string('0+'),
});

export const SaslHandshakeResponse = struct({
  errorCode: f.int16('0+'),
  mechanisms: f.array('0+', t.string),
});

export const SaslAuthenticateRequest = struct({
  authBytes: f.bytes('0+'),
});

export const SaslAuthenticateResponse = struct({
  errorCode: f.int16('0+'),
  errorMessage: f.nullableString('0+'),
  authBytes: f.bytes('0+'),
  sessionLifetimeMs: f.int64('1+'),
});
