// The broker's one listener: its security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT or
// SASL_SSL, from whether TLS and SASL are configured) and, for SSL, the Node TLS server options
// matching Kafka's ssl.* broker settings.
import type { TlsOptions } from 'node:tls';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** ssl.client.auth: whether the broker asks for a client certificate, and whether it must be there. */
export type ClientAuth = 'none' | 'requested' | 'required';

type Pem = string | Buffer;

/** An SSL listener's settings, PEM as in Kafka's ssl.keystore.type=PEM / ssl.truststore.type=PEM. */
export interface TlsConfig {
  /** ssl.keystore.certificate.chain: the broker's certificate (and intermediates). */
  readonly cert: Pem;
  /** ssl.keystore.key: its private key, unencrypted. */
  readonly key: Pem;
  /** ssl.client.auth, default none. */
  readonly clientAuth?: ClientAuth;
  /** ssl.truststore.certificates: the CAs a client certificate must chain to; needed unless clientAuth is none. */
  readonly ca?: Pem | readonly Pem[];
}

export function securityProtocol(tls: boolean, sasl: boolean): SecurityProtocol {
  if (tls) return sasl ? 'SASL_SSL' : 'SSL';
  return sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
}

export function tlsServerOptions(c: TlsConfig): TlsOptions {
  const clientAuth = c.clientAuth ?? 'none';
  if (clientAuth !== 'none' && c.ca === undefined) throw new Error(`ssl.client.auth=${clientAuth} needs the CAs client certificates chain to (tls.ca)`);
  return {
    cert: c.cert,
    key: c.key,
    ca: c.ca === undefined ? undefined : typeof c.ca === 'string' || Buffer.isBuffer(c.ca) ? c.ca : [...c.ca],
    // Kafka's default ssl.enabled.protocols.
    minVersion: 'TLSv1.2',
    requestCert: clientAuth !== 'none',
    // 'requested' still refuses a certificate that does not verify (as the JDK's wantClientAuth
    // does); the server checks that itself after the handshake (see rejectsPeer).
    rejectUnauthorized: clientAuth === 'required',
  };
}

/**
 * For ssl.client.auth=requested: a connection without a certificate is served, one whose
 * certificate does not verify is not.
 */
export function rejectsPeer(clientAuth: ClientAuth, authorized: boolean, presentedCertificate: boolean): boolean {
  return clientAuth === 'requested' && presentedCertificate && !authorized;
}
