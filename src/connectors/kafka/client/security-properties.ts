/**
 * Kafka's security properties (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, the
 * `ssl.*` keys of ssl-properties.ts) to the client's TLS and SASL settings, so a job is
 * configured as any Kafka client is, with no client-library shapes. Pure: invalid combinations
 * are configuration errors here, where Kafka's own client would fail at connect or silently
 * ignore the SASL or SSL keys.
 */
import { WeirError } from '../../../errors/index.ts';
import type { KafkaClientProperties } from './types.ts';
import { hasSslKeys, sslSettings } from './ssl-properties.ts';
import type { SslSettings } from './ssl-properties.ts';

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof PROTOCOLS)[number];

export interface SaslCredentials {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

export interface SecurityOptions {
  /** TLS from Kafka's keys (security.protocol SSL or SASL_SSL and the ssl.* keys). */
  readonly tls?: SslSettings;
  /** The `ssl` object passed through as the client takes it. */
  readonly ssl?: unknown;
  /** From Kafka's keys; absent when SASL is off or given as a client-shaped `sasl` object. */
  readonly sasl?: SaslCredentials;
}

/** How the client authenticates, for error messages: the SASL mechanism, and whether it speaks TLS. */
export interface ClientAuthentication {
  readonly saslMechanism?: string;
  readonly tls: boolean;
}

const invalid = (message: string) => new WeirError('KAFKA_INVALID_CONFIGURATION', message, false);

export function securityOptions(p: KafkaClientProperties): SecurityOptions {
  const raw = p['security.protocol'];
  const protocol = raw === undefined ? undefined : (String(raw).toUpperCase() as SecurityProtocol);
  if (protocol !== undefined && !PROTOCOLS.includes(protocol)) throw invalid(`security.protocol must be one of ${PROTOCOLS.join(', ')}, got ${String(raw)}`);
  const mechanismRaw = p['sasl.mechanism'];
  const jaas = p['sasl.jaas.config'];
  const saslKeys = mechanismRaw !== undefined || jaas !== undefined;
  const saslProtocol = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const tlsProtocol = protocol === 'SSL' || protocol === 'SASL_SSL';
  // `ssl` and `sasl` objects in the client's own shape still pass through unchanged.
  const ssl = p['ssl'];
  if (hasSslKeys(p)) {
    if (ssl !== undefined) throw invalid('give TLS either as ssl.* properties or as an ssl object, not both');
    if (!tlsProtocol) throw invalid(`ssl.* properties need security.protocol=SSL or SASL_SSL (got ${protocol ?? 'PLAINTEXT, the default'}); Kafka would connect without TLS and ignore them`);
  }
  const tls = ssl === undefined && tlsProtocol ? sslSettings(p) : undefined;
  if (saslKeys && p['sasl'] !== undefined) throw invalid('give SASL either as sasl.mechanism and sasl.jaas.config or as a sasl object, not both');
  if (!saslKeys) {
    if (saslProtocol && p['sasl'] === undefined) throw invalid(`security.protocol ${protocol} needs sasl.mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) and sasl.jaas.config with the username and password`);
    return { tls, ssl };
  }
  if (!saslProtocol) {
    throw invalid(`sasl.mechanism and sasl.jaas.config need security.protocol=SASL_PLAINTEXT or SASL_SSL (got ${protocol ?? 'PLAINTEXT, the default'}); Kafka would connect without authenticating`);
  }
  const mechanism = String(mechanismRaw ?? 'GSSAPI').toUpperCase() as SaslMechanism;
  if (!MECHANISMS.includes(mechanism)) throw invalid(`sasl.mechanism ${String(mechanismRaw ?? 'GSSAPI (the default)')} is not supported: use ${MECHANISMS.join(', ')}`);
  if (jaas === undefined) throw invalid(`sasl.mechanism ${mechanism} needs sasl.jaas.config, e.g. ${exampleJaas(mechanism)}`);
  const { username, password } = parseJaas(String(jaas), mechanism);
  return { tls, ssl, sasl: { mechanism, username, password } };
}

/**
 * The protocol the client speaks: `security.protocol`, or what client-shaped `ssl` and `sasl`
 * objects amount to. Says that a client is secured without saying how (no key, no secret).
 */
export function securityProtocolOf(p: KafkaClientProperties): SecurityProtocol {
  const raw = p['security.protocol'];
  if (raw !== undefined) return String(raw).toUpperCase() as SecurityProtocol;
  const tls = p['ssl'] !== undefined && p['ssl'] !== false;
  const sasl = p['sasl'] !== undefined;
  return sasl ? (tls ? 'SASL_SSL' : 'SASL_PLAINTEXT') : tls ? 'SSL' : 'PLAINTEXT';
}

/** The mechanism the client authenticates with, for error messages ('PLAIN', 'SCRAM-SHA-256'...); undefined without SASL. */
export function saslMechanismOf(p: KafkaClientProperties): string | undefined {
  const raw = p['sasl.mechanism'] ?? (p['sasl'] as { mechanism?: unknown } | undefined)?.mechanism;
  return raw === undefined ? undefined : String(raw).toUpperCase();
}

export function authenticationOf(p: KafkaClientProperties): ClientAuthentication {
  const protocol = String(p['security.protocol'] ?? '').toUpperCase();
  const tls = (p['ssl'] !== undefined && p['ssl'] !== false) || protocol === 'SSL' || protocol === 'SASL_SSL';
  return { saslMechanism: saslMechanismOf(p), tls };
}

const LOGIN_MODULE = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b(.*?);?\s*$/s;
const OPTION = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/g;

/** `<LoginModule> required username="..." password="...";` as Kafka's JaasConfig reads it (one module). */
export function parseJaas(jaas: string, mechanism: SaslMechanism): { username: string; password: string } {
  const m = LOGIN_MODULE.exec(jaas);
  if (!m) throw invalid(`sasl.jaas.config is not a JAAS login module entry; expected ${exampleJaas(mechanism)}`);
  const options = new Map<string, string>();
  for (const o of m[3]!.matchAll(OPTION)) options.set(o[1]!, o[2] !== undefined ? o[2].replace(/\\(.)/g, '$1') : o[3]!);
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || password === undefined) throw invalid(`sasl.jaas.config (${m[1]}) needs username and password options; expected ${exampleJaas(mechanism)}`);
  return { username, password };
}

function exampleJaas(mechanism: SaslMechanism): string {
  const module = mechanism === 'PLAIN' ? 'org.apache.kafka.common.security.plain.PlainLoginModule' : 'org.apache.kafka.common.security.scram.ScramLoginModule';
  return `'${module} required username="alice" password="...";'`;
}
