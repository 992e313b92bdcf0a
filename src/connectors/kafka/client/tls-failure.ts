/**
 * A failed TLS handshake told apart from an unreachable broker, with what to set: restarting
 * gets past neither an untrusted broker certificate nor a refused client certificate, so
 * these fail the job (KAFKA_TLS_HANDSHAKE_FAILED, not retriable) once the client's own
 * bounded retries are spent. Reads the Node/OpenSSL error code the client keeps on its error
 * or one of its causes.
 */

export interface TlsFailure {
  readonly code: string;
  /** What is wrong and which property to set. */
  readonly advice: string;
}

/** OpenSSL's verify results for a chain that does not lead to a trusted CA, as Node names them. */
const UNTRUSTED = /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE|INVALID_CA|CERT_REJECTED)$/;
const EXPIRED = /^(CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)$/;
/** Alerts a broker sends when it wants a client certificate it does not get or does not trust. */
const CLIENT_CERT_REFUSED = /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_UNKNOWN|TLSV1_ALERT_ACCESS_DENIED|SSLV3_ALERT_HANDSHAKE_FAILURE)$/;
/** Bytes that are not TLS: the listener is PLAINTEXT or SASL_PLAINTEXT. */
const NOT_TLS = /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE|UNEXPECTED_EOF_WHILE_READING)$/;

const TRUSTSTORE = 'set ssl.truststore.certificates (PEM) or ssl.truststore.location with ssl.truststore.type=PEM to the CA that signed the broker\'s certificate';
const KEYSTORE = 'set ssl.keystore.certificate.chain and ssl.keystore.key (or ssl.keystore.location with ssl.keystore.type=PEM) to a client certificate the broker\'s truststore accepts';

/**
 * OpenSSL's error lines (`40BD...:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert
 * certificate required:../deps/openssl/...:SSL alert number 116`) cut to their reason.
 */
export function openSslReason(message: string): string {
  return message.replace(/[0-9A-F]+:error:[0-9A-F]+:[^:]+:[^:]+:([^:]+):[^\n]*\n?/g, '$1').trim();
}

export function tlsFailure(err: unknown): TlsFailure | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (UNTRUSTED.test(code)) return { code, advice: `the broker's certificate is not trusted; ${TRUSTSTORE}` };
    if (EXPIRED.test(code)) return { code, advice: 'a certificate of the broker\'s chain is expired or not yet valid; renew it on the broker' };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return { code, advice: 'the broker\'s certificate does not name the host connected to; connect by a name it holds (bootstrap servers, advertised.listeners) or set ssl.endpoint.identification.algorithm= (empty) to skip the check' };
    }
    if (CLIENT_CERT_REFUSED.test(code)) return { code, advice: `the broker refused the client's certificate or got none; ${KEYSTORE}` };
    if (NOT_TLS.test(code)) return { code, advice: 'the broker does not speak TLS on this port; check security.protocol (PLAINTEXT or SASL_PLAINTEXT?) and the bootstrap servers' };
  }
  return undefined;
}

/** For a TLS client whose connection the broker closed without a reason (TLS 1.3 after a refused client certificate looks like this). */
export const CLOSED_DURING_TLS_HINT = `if the broker requires client certificates (ssl.client.auth), ${KEYSTORE}`;
