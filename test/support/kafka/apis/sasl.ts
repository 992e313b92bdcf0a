// SaslHandshake and SaslAuthenticate once a connection is past authentication (or on a
// listener without SASL): Kafka's request handler answers both with ILLEGAL_SASL_STATE.
// Authentication itself happens before dispatch (sasl/authenticator.ts).
import { ErrorCode } from '../protocol/errors.ts';
import { SaslAuthenticateRequest, SaslAuthenticateResponse, SaslHandshakeRequest, SaslHandshakeResponse } from '../protocol/messages/sasl.ts';
import { defineApi } from './context.ts';

export const saslHandshake = defineApi('SaslHandshake', SaslHandshakeRequest, SaslHandshakeResponse, () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }));

export const saslAuthenticate = defineApi('SaslAuthenticate', SaslAuthenticateRequest, SaslAuthenticateResponse, () => ({
  errorCode: ErrorCode.ILLEGAL_SASL_STATE,
  errorMessage: 'SaslAuthenticate request received after successful authentication',
  authBytes: Buffer.alloc(0),
  sessionLifetimeMs: 0,
}));
