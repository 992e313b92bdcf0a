/**
 * Kafka's `ssl.*` client properties, in their PEM forms (KIP-651), to TLS settings. The JVM's
 * JKS and PKCS12 stores have no Node counterpart, so `ssl.truststore.type` and
 * `ssl.keystore.type` must be PEM when a store is given; every other `ssl.*` key Weir does not
 * read is an error naming what to set instead, never silently ignored.
 *
 * `sslSettings` is pure (builders call it to fail early, before any file exists on the task's
 * machine); `tlsConnectionOptions` reads the files named and builds what the client takes.
 */
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import type { KafkaClientProperties } from './types.ts';

/** PEM text given inline, or a file to read it from; `property` names it in errors. */
export type PemSource = { readonly property: string; readonly pem: string } | { readonly property: string; readonly file: string };

export interface SslSettings {
  /** The CAs the broker's certificate must chain to; absent: Node's bundled roots (as the JVM's default truststore). */
  readonly truststore?: PemSource;
  /** A client certificate for brokers with ssl.client.auth: key and chain apart, or one file holding both. */
  readonly keystore?: { readonly key: PemSource; readonly chain: PemSource } | { readonly both: PemSource };
  /** ssl.key.password: the passphrase of an encrypted private key. */
  readonly keyPassword?: string;
  /** ssl.endpoint.identification.algorithm: https (default) checks the broker's name; '' does not. */
  readonly verifyHostname: boolean;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
}

type TlsVersion = 'TLSv1.2' | 'TLSv1.3';
const VERSIONS: readonly TlsVersion[] = ['TLSv1.2', 'TLSv1.3'];

export const SSL_KEYS = [
  'ssl.truststore.type',
  'ssl.truststore.certificates',
  'ssl.truststore.location',
  'ssl.keystore.type',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.keystore.location',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
  'ssl.enabled.protocols',
  'ssl.protocol',
] as const;

/** Keys Flink and Kafka configurations carry that mean nothing with PEM, and what to do instead. */
const REFUSED: Readonly<Record<string, string>> = {
  'ssl.truststore.password': 'a PEM truststore has no password (Kafka refuses one with ssl.truststore.type=PEM): remove it',
  'ssl.keystore.password': 'a PEM keystore has no store password: give the private key\'s passphrase as ssl.key.password and remove ssl.keystore.password',
};

const invalid = (message: string) => new WeirError('KAFKA_INVALID_CONFIGURATION', message, false);

/** True when any `ssl.*` key is set. */
export function hasSslKeys(p: KafkaClientProperties): boolean {
  return Object.keys(p).some((k) => k.startsWith('ssl.'));
}

/** The TLS settings the `ssl.*` keys ask for; throws KAFKA_INVALID_CONFIGURATION for unknown or contradictory keys. */
export function sslSettings(p: KafkaClientProperties): SslSettings {
  for (const k of Object.keys(p)) {
    if (!k.startsWith('ssl.') || (SSL_KEYS as readonly string[]).includes(k)) continue;
    throw invalid(`${k}: ${REFUSED[k] ?? `not a Kafka SSL property Weir reads (the JVM's stores and algorithms have no Node counterpart); use the PEM forms: ${SSL_KEYS.join(', ')}`}`);
  }
  const str = (k: string): string | undefined => (p[k] === undefined ? undefined : String(p[k]));
  const truststore = store('truststore', str('ssl.truststore.type'), str('ssl.truststore.location'), str('ssl.truststore.certificates'), 'ssl.truststore.certificates');
  if (truststore && 'pem' in truststore) certificates(truststore);

  const chain = str('ssl.keystore.certificate.chain');
  const key = str('ssl.keystore.key');
  // Refuses a location next to an inline key or chain; the inline pair is read below.
  const keystoreSource = store('keystore', str('ssl.keystore.type'), str('ssl.keystore.location'), chain ?? key, chain === undefined ? 'ssl.keystore.key' : 'ssl.keystore.certificate.chain');
  if ((chain === undefined) !== (key === undefined)) {
    throw invalid(`${chain === undefined ? 'ssl.keystore.key' : 'ssl.keystore.certificate.chain'} needs ${chain === undefined ? 'ssl.keystore.certificate.chain (the client certificate, PEM)' : 'ssl.keystore.key (its private key, PEM)'}: a client certificate is the two together`);
  }
  const keyPassword = str('ssl.key.password');
  let keystore: SslSettings['keystore'];
  if (chain !== undefined && key !== undefined) {
    const inline = { key: { property: 'ssl.keystore.key', pem: key }, chain: { property: 'ssl.keystore.certificate.chain', pem: chain } };
    certificates(inline.chain);
    privateKey(inline.key, keyPassword);
    keystore = inline;
  } else if (keystoreSource) {
    keystore = { both: keystoreSource };
  } else if (keyPassword !== undefined) {
    throw invalid('ssl.key.password is set but there is no key: set ssl.keystore.key and ssl.keystore.certificate.chain, or ssl.keystore.location (ssl.keystore.type=PEM)');
  }

  const algorithm = str('ssl.endpoint.identification.algorithm');
  if (algorithm !== undefined && algorithm !== '' && algorithm.toLowerCase() !== 'https') {
    throw invalid(`ssl.endpoint.identification.algorithm must be https (check the broker's host name, the default) or empty (do not check), got ${algorithm}`);
  }
  return { truststore, keystore, keyPassword, verifyHostname: algorithm === undefined || algorithm !== '', ...versions(str('ssl.enabled.protocols'), str('ssl.protocol')) };
}

/** A store's PEM source from its type, location and inline form (Kafka: JKS by default, which Weir cannot read). */
function store(kind: 'truststore' | 'keystore', type: string | undefined, location: string | undefined, inline: string | undefined, inlineKey: string): PemSource | undefined {
  const typeKey = `ssl.${kind}.type`;
  const locationKey = `ssl.${kind}.location`;
  if (type !== undefined && type.toUpperCase() !== 'PEM') {
    const convert =
      kind === 'truststore'
        ? 'export the CA certificates as PEM (keytool -exportcert -rfc -keystore truststore.jks -alias CARoot -file ca.pem)'
        : 'export the key and certificate chain as PEM (openssl pkcs12 -in keystore.p12 -out keystore.pem, after keytool -importkeystore to PKCS12 for a JKS)';
    throw invalid(`${typeKey}=${type} is not supported: Weir reads PEM only; ${convert} and set ${typeKey}=PEM`);
  }
  if (location !== undefined && inline !== undefined) throw invalid(`${locationKey} and ${inlineKey} both give the ${kind}: set one`);
  if (location !== undefined) {
    if (type === undefined) throw invalid(`${locationKey} is read as ${typeKey}, which defaults to JKS in Kafka: point it at a PEM file and set ${typeKey}=PEM`);
    return { property: locationKey, file: location };
  }
  return inline === undefined ? undefined : { property: inlineKey, pem: inline };
}

function versions(enabled: string | undefined, protocol: string | undefined): { minVersion?: TlsVersion; maxVersion?: TlsVersion } {
  const check = (v: string, key: string): TlsVersion => {
    if (!(VERSIONS as readonly string[]).includes(v)) throw invalid(`${key}: ${v} is not supported; use ${VERSIONS.join(' or ')}`);
    return v as TlsVersion;
  };
  let list = enabled === undefined ? undefined : enabled.split(',').map((v) => check(v.trim(), 'ssl.enabled.protocols'));
  // ssl.protocol caps the version as the JVM's SSLContext does; TLS (any) leaves it open.
  if (protocol !== undefined && protocol.toUpperCase() !== 'TLS') {
    const cap = check(protocol, 'ssl.protocol');
    list = (list ?? [...VERSIONS]).filter((v) => VERSIONS.indexOf(v) <= VERSIONS.indexOf(cap));
    if (list.length === 0) throw invalid(`ssl.protocol=${protocol} leaves none of ssl.enabled.protocols=${enabled ?? ''}: set them to agree`);
  }
  if (list === undefined || list.length === 0) return {};
  const sorted = [...list].sort((a, b) => VERSIONS.indexOf(a) - VERSIONS.indexOf(b));
  return { minVersion: sorted[0], maxVersion: sorted[sorted.length - 1] };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * The PEM blocks of `text`, re-wrapped: a properties file may carry a PEM on one line (Kafka's
 * own parser accepts that), which OpenSSL would not read.
 */
export function pemBlocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => {
    const body = m[2]!.replace(/\s+/g, '');
    return { label: m[1]!, pem: `-----BEGIN ${m[1]}-----\n${body.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${m[1]}-----\n` };
  });
}

function certificates(source: { property: string; pem: string }): string {
  const certs = pemBlocks(source.pem).filter((b) => b.label === 'CERTIFICATE');
  if (certs.length === 0) throw invalid(`${source.property} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const c of certs) {
    try {
      new X509Certificate(c.pem);
    } catch (err) {
      throw invalid(`${source.property} holds a certificate that does not parse: ${errorMessage(err)}`);
    }
  }
  return certs.map((c) => c.pem).join('');
}

function privateKey(source: { property: string; pem: string }, password: string | undefined): string {
  const keys = pemBlocks(source.pem).filter((b) => b.label.endsWith('PRIVATE KEY'));
  if (keys.length !== 1) throw invalid(`${source.property} must hold one PEM private key (-----BEGIN PRIVATE KEY----- or ENCRYPTED PRIVATE KEY), found ${keys.length}`);
  const key = keys[0]!;
  const encrypted = key.label === 'ENCRYPTED PRIVATE KEY' || key.pem.includes('Proc-Type: 4,ENCRYPTED');
  if (encrypted && password === undefined) throw invalid(`${source.property} is encrypted: set ssl.key.password`);
  try {
    createPrivateKey({ key: key.pem, passphrase: password });
  } catch (err) {
    throw invalid(`${source.property} cannot be read${encrypted ? ' with ssl.key.password (is it the right password?)' : ''}: ${errorMessage(err)}`);
  }
  return key.pem;
}

export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/** What the client passes to `tls.connect`: PEM files read, keys checked. */
export function tlsConnectionOptions(s: SslSettings, read: ReadFile = readUtf8): ConnectionOptions {
  const text = (source: PemSource): { property: string; pem: string } => {
    if ('pem' in source) return source;
    try {
      return { property: `${source.property} (${source.file})`, pem: read(source.file) };
    } catch (err) {
      throw invalid(`${source.property}: cannot read ${source.file}: ${errorMessage(err)}`);
    }
  };
  const o: ConnectionOptions = {};
  if (s.truststore) o.ca = certificates(text(s.truststore));
  if (s.keystore) {
    const [key, chain] = 'both' in s.keystore ? [text(s.keystore.both), text(s.keystore.both)] : [text(s.keystore.key), text(s.keystore.chain)];
    o.key = privateKey(key, s.keyPassword);
    o.cert = certificates(chain);
    if (s.keyPassword !== undefined) o.passphrase = s.keyPassword;
  }
  if (!s.verifyHostname) o.checkServerIdentity = () => undefined;
  if (s.minVersion) o.minVersion = s.minVersion;
  if (s.maxVersion) o.maxVersion = s.maxVersion;
  return o;
}
