/** Kafka-named client properties to kafkajs options, header conversions, and error mapping. */
import { WeirError, errorMessage } from '../../../errors/index.ts';
import type { KafkaClientProperties, KafkaHeaders } from './types.ts';
import { securityOptions } from './security-properties.ts';
import type { ClientAuthentication } from './security-properties.ts';
import { tlsConnectionOptions } from './ssl-properties.ts';
import type { ReadFile } from './ssl-properties.ts';
import { CLOSED_DURING_TLS_HINT, openSslReason, tlsFailure } from './tls-failure.ts';

export interface KafkajsClientOptions {
  brokers: string[];
  clientId?: string;
  ssl?: never;
  sasl?: never;
  connectionTimeout?: number;
  requestTimeout?: number;
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
}

const num = (v: unknown, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new WeirError('KAFKA_INVALID_CONFIGURATION', `Kafka property ${name} must be a non-negative number, got ${String(v)}`, false);
  return n;
};

/** `readFile` reads the PEM files ssl.truststore.location and ssl.keystore.location name. */
export function clientOptions(servers: readonly string[], p: KafkaClientProperties, readFile?: ReadFile): KafkajsClientOptions {
  if (servers.length === 0) throw new WeirError('KAFKA_INVALID_CONFIGURATION', 'Kafka bootstrap servers are missing: call setBootstrapServers("host:port")', false);
  const retries = num(p['retries'], 'retries');
  const backoff = num(p['retry.backoff.ms'], 'retry.backoff.ms');
  const maxBackoff = num(p['retry.backoff.max.ms'], 'retry.backoff.max.ms');
  const security = securityOptions(p);
  const sasl = security.sasl ? { mechanism: security.sasl.mechanism.toLowerCase(), username: security.sasl.username, password: security.sasl.password } : p['sasl'];
  return {
    brokers: [...servers],
    clientId: p['client.id'] === undefined ? 'weir' : String(p['client.id']),
    ssl: (security.tls ? tlsConnectionOptions(security.tls, readFile) : security.ssl) as never,
    sasl: sasl as never,
    connectionTimeout: num(p['socket.connection.setup.timeout.ms'], 'socket.connection.setup.timeout.ms'),
    requestTimeout: num(p['request.timeout.ms'], 'request.timeout.ms'),
    retry: { retries: retries ?? 5, initialRetryTime: backoff ?? 100, maxRetryTime: maxBackoff ?? 1000 },
  };
}

export function toHeaders(h: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): KafkaHeaders {
  const out: KafkaHeaders = {};
  if (!h) return out;
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)) : typeof v === 'string' ? Buffer.from(v) : v;
  }
  return out;
}

export function toBuffers(h: KafkaHeaders): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(h)) {
    // kafkajs takes one value per header name on produce; a repeated header keeps its first.
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined) out[k] = Buffer.from(one.buffer, one.byteOffset, one.byteLength);
  }
  return out;
}

/**
 * Connection failures are KAFKA_UNREACHABLE; a refused authentication is
 * KAFKA_AUTHENTICATION_FAILED and a failed TLS handshake KAFKA_TLS_HANDSHAKE_FAILED, neither
 * retriable (no restart gets past wrong credentials or certificates); every other client
 * error is retriable (the restart strategy backs off).
 */
export function toClientError(what: string, servers: readonly string[], err: unknown, auth: ClientAuthentication = { tls: false }): WeirError {
  if (err instanceof WeirError) return err;
  const name = (err as { name?: string }).name ?? '';
  const saslMechanism = auth.saslMechanism;
  const tls = auth.tls ? tlsFailure(err) : undefined;
  if (tls) {
    return new WeirError('KAFKA_TLS_HANDSHAKE_FAILED', `Kafka ${what} on ${servers.join(',')}: TLS handshake failed (${tls.code}: ${openSslReason(errorMessage(err))}); ${tls.advice}`, false, { cause: err });
  }
  if (name === 'KafkaJSSASLAuthenticationError') {
    return new WeirError(
      'KAFKA_AUTHENTICATION_FAILED',
      `Kafka ${what} on ${servers.join(',')}: the broker refused SASL${saslMechanism === undefined ? '' : ` ${saslMechanism}`} authentication (${errorMessage(err)}); check sasl.mechanism and the username and password in sasl.jaas.config`,
      false,
      { cause: err },
    );
  }
  const unreachable =
    name === 'KafkaJSConnectionError' || name === 'KafkaJSBrokerNotFound' || (name === 'KafkaJSNumberOfRetriesExceeded' && /connect|ECONNREFUSED|Connection/i.test(errorMessage(err)));
  const type = (err as { type?: string }).type;
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return new WeirError('KAFKA_TOPIC_NOT_FOUND', `Kafka ${what} on ${servers.join(',')}: a topic does not exist (${errorMessage(err)}); create it or set allow.auto.create.topics=true`, false, { cause: err });
  }
  // Only while connecting: later, a closed connection is a broker restart or a network fault.
  const closed = auth.tls && what === 'connect' && /Closed connection|Connection closed/i.test(errorMessage(err)) ? `; ${CLOSED_DURING_TLS_HINT}` : '';
  return new WeirError(unreachable ? 'KAFKA_UNREACHABLE' : 'KAFKA_REQUEST_FAILED', `Kafka ${what} on ${servers.join(',')} failed: ${errorMessage(err)}${closed}`, true, { cause: err });
}
