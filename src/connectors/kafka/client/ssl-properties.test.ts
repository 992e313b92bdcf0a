import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WeirError } from '../../../errors/index.ts';
import { pemBlocks, sslSettings, tlsConnectionOptions } from './ssl-properties.ts';
import { securityOptions } from './security-properties.ts';
import { clientOptions, toClientError } from './client-options.ts';
import { CLIENT_KEY_PASSWORD, TLS } from '../../../../test/support/tls-fixtures.ts';

const SSL = { 'security.protocol': 'SSL' };
const oneLine = (pem: string) => pem.replace(/\n/g, ' ');
const files = (table: Record<string, string>) => (path: string) => {
  const text = table[path];
  if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return text;
};

test('PEM truststore and keystore, inline or from files, become the CA, certificate, key and passphrase the client takes', () => {
  const inline = tlsConnectionOptions(
    sslSettings({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': TLS.ca, 'ssl.keystore.type': 'PEM', 'ssl.keystore.certificate.chain': TLS.client.cert, 'ssl.keystore.key': TLS.client.encryptedKey, 'ssl.key.password': CLIENT_KEY_PASSWORD }),
  );
  assert.deepEqual(inline, { ca: TLS.ca, key: TLS.client.encryptedKey, cert: TLS.client.cert, passphrase: CLIENT_KEY_PASSWORD });

  const read = files({ '/etc/kafka/ca.pem': TLS.ca + TLS.otherCa, '/etc/kafka/client.pem': TLS.client.key + TLS.client.cert });
  const fromFiles = tlsConnectionOptions(
    sslSettings({ 'ssl.truststore.type': 'pem', 'ssl.truststore.location': '/etc/kafka/ca.pem', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/etc/kafka/client.pem', 'ssl.endpoint.identification.algorithm': '' }),
    read,
  );
  assert.equal(fromFiles.ca, TLS.ca + TLS.otherCa);
  assert.equal(fromFiles.key, TLS.client.key);
  assert.equal(fromFiles.cert, TLS.client.cert);
  assert.equal(fromFiles.checkServerIdentity?.('127.0.0.1', { subject: {} } as never), undefined, "'' turns the host name check off");

  // Default: hostname verified (no checkServerIdentity override), Node's bundled CAs.
  assert.deepEqual(tlsConnectionOptions(sslSettings({ 'ssl.endpoint.identification.algorithm': 'HTTPS' })), {});
  assert.deepEqual(tlsConnectionOptions(sslSettings({ 'ssl.enabled.protocols': 'TLSv1.3, TLSv1.2' })), { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
  assert.deepEqual(tlsConnectionOptions(sslSettings({ 'ssl.protocol': 'TLSv1.2' })), { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  assert.deepEqual(tlsConnectionOptions(sslSettings({ 'ssl.protocol': 'TLS', 'ssl.enabled.protocols': 'TLSv1.3' })), { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
});

test('a PEM written on one line (as a properties file may carry it) is re-wrapped so OpenSSL reads it', () => {
  assert.equal(pemBlocks(oneLine(TLS.ca))[0]?.pem, TLS.ca);
  const o = tlsConnectionOptions(sslSettings({ 'ssl.truststore.certificates': oneLine(TLS.ca), 'ssl.keystore.certificate.chain': oneLine(TLS.client.cert), 'ssl.keystore.key': oneLine(TLS.client.key) }));
  assert.deepEqual(o, { ca: TLS.ca, cert: TLS.client.cert, key: TLS.client.key });
});

test('unknown, JVM-only and contradictory ssl.* properties are KAFKA_INVALID_CONFIGURATION errors that say what to set', () => {
  const fails = (p: Record<string, string>, message: RegExp) =>
    assert.throws(
      () => securityOptions({ ...SSL, ...p }),
      (err: unknown) => err instanceof WeirError && err.code === 'KAFKA_INVALID_CONFIGURATION' && !err.retriable && message.test(err.message),
      `${JSON.stringify(p)} should fail with ${message}`,
    );
  fails({ 'ssl.truststore.location': '/x.jks' }, /ssl.truststore.location is read as ssl.truststore.type, which defaults to JKS in Kafka: point it at a PEM file and set ssl.truststore.type=PEM/);
  fails({ 'ssl.truststore.type': 'JKS', 'ssl.truststore.location': '/x.jks' }, /ssl.truststore.type=JKS is not supported: Weir reads PEM only; export the CA certificates as PEM \(keytool -exportcert -rfc/);
  fails({ 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': '/k.p12' }, /ssl.keystore.type=PKCS12 is not supported: Weir reads PEM only; export the key and certificate chain as PEM \(openssl pkcs12/);
  fails({ 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': '/ca.pem', 'ssl.truststore.certificates': TLS.ca }, /ssl.truststore.location and ssl.truststore.certificates both give the truststore: set one/);
  fails({ 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/k.pem', 'ssl.keystore.key': TLS.client.key, 'ssl.keystore.certificate.chain': TLS.client.cert }, /ssl.keystore.location and ssl.keystore.certificate.chain both give the keystore: set one/);
  fails({ 'ssl.keystore.key': TLS.client.key }, /ssl.keystore.key needs ssl.keystore.certificate.chain \(the client certificate, PEM\)/);
  fails({ 'ssl.keystore.certificate.chain': TLS.client.cert }, /ssl.keystore.certificate.chain needs ssl.keystore.key \(its private key, PEM\)/);
  fails({ 'ssl.key.password': 'x' }, /ssl.key.password is set but there is no key/);
  fails({ 'ssl.keystore.certificate.chain': TLS.client.cert, 'ssl.keystore.key': TLS.client.encryptedKey }, /ssl.keystore.key is encrypted: set ssl.key.password/);
  fails({ 'ssl.keystore.certificate.chain': TLS.client.cert, 'ssl.keystore.key': TLS.client.encryptedKey, 'ssl.key.password': 'wrong' }, /ssl.keystore.key cannot be read with ssl.key.password \(is it the right password\?\)/);
  fails({ 'ssl.keystore.certificate.chain': TLS.client.key, 'ssl.keystore.key': TLS.client.key }, /ssl.keystore.certificate.chain holds no PEM certificate/);
  fails({ 'ssl.truststore.certificates': 'MIIB...' }, /ssl.truststore.certificates holds no PEM certificate \(-----BEGIN CERTIFICATE-----\)/);
  fails({ 'ssl.truststore.password': 'changeit' }, /ssl.truststore.password: a PEM truststore has no password/);
  fails({ 'ssl.keystore.password': 'changeit' }, /ssl.keystore.password: a PEM keystore has no store password: give the private key's passphrase as ssl.key.password/);
  fails({ 'ssl.cipher.suites': 'TLS_AES_128_GCM_SHA256' }, /ssl.cipher.suites: not a Kafka SSL property Weir reads .*use the PEM forms: ssl.truststore.type, ssl.truststore.certificates/);
  fails({ 'ssl.endpoint.identification.algorithm': 'ldap' }, /ssl.endpoint.identification.algorithm must be https \(check the broker's host name, the default\) or empty \(do not check\), got ldap/);
  fails({ 'ssl.enabled.protocols': 'TLSv1.1' }, /ssl.enabled.protocols: TLSv1.1 is not supported; use TLSv1.2 or TLSv1.3/);
  fails({ 'ssl.protocol': 'TLSv1.2', 'ssl.enabled.protocols': 'TLSv1.3' }, /ssl.protocol=TLSv1.2 leaves none of ssl.enabled.protocols=TLSv1.3/);
  assert.throws(() => securityOptions({ 'ssl.truststore.certificates': TLS.ca }), /ssl.\* properties need security.protocol=SSL or SASL_SSL \(got PLAINTEXT, the default\)/);
  assert.throws(() => securityOptions({ 'security.protocol': 'SASL_PLAINTEXT', 'ssl.truststore.certificates': TLS.ca }), /need security.protocol=SSL or SASL_SSL \(got SASL_PLAINTEXT\)/);
  assert.throws(() => securityOptions({ ...SSL, ssl: { ca: TLS.ca }, 'ssl.truststore.certificates': TLS.ca }), /give TLS either as ssl.\* properties or as an ssl object, not both/);
});

test('a truststore or keystore file that cannot be read fails when the client is made, naming the property and the file', () => {
  const p = { ...SSL, 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': '/missing/ca.pem' };
  assert.throws(() => clientOptions(['a:1'], p, files({})), /ssl.truststore.location: cannot read \/missing\/ca.pem: ENOENT/);
  assert.throws(() => clientOptions(['a:1'], p, files({ '/missing/ca.pem': 'not a certificate' })), /ssl.truststore.location \(\/missing\/ca.pem\) holds no PEM certificate/);
  const keystore = { ...SSL, 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/k.pem' };
  assert.throws(() => clientOptions(['a:1'], keystore, files({ '/k.pem': TLS.client.cert })), /ssl.keystore.location \(\/k.pem\) must hold one PEM private key/);
  assert.deepEqual(clientOptions(['a:1'], { ...keystore, 'ssl.key.password': CLIENT_KEY_PASSWORD }, files({ '/k.pem': TLS.client.encryptedKey + TLS.client.cert })).ssl, {
    key: TLS.client.encryptedKey,
    cert: TLS.client.cert,
    passphrase: CLIENT_KEY_PASSWORD,
  });
});

test('handshake failures are KAFKA_TLS_HANDSHAKE_FAILED, not retriable, saying what to set; a bare close of a TLS connection gets a hint', () => {
  const connectionError = (code: string, message: string) =>
    Object.assign(new Error('Connection error: x'), { name: 'KafkaJSNumberOfRetriesExceeded', cause: Object.assign(new Error(`Connection error: ${message}`), { name: 'KafkaJSConnectionError', code }) });
  const tls = { tls: true };
  const untrusted = toClientError('connect', ['k:9093'], connectionError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), tls);
  assert.equal(untrusted.code, 'KAFKA_TLS_HANDSHAKE_FAILED');
  assert.equal(untrusted.retriable, false);
  assert.equal(
    untrusted.message,
    "Kafka connect on k:9093: TLS handshake failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE: Connection error: x); the broker's certificate is not trusted; set ssl.truststore.certificates (PEM) or ssl.truststore.location with ssl.truststore.type=PEM to the CA that signed the broker's certificate",
  );
  assert.match(toClientError('connect', ['k:9093'], connectionError('ERR_TLS_CERT_ALTNAME_INVALID', 'Hostname/IP does not match'), tls).message, /set ssl.endpoint.identification.algorithm= \(empty\) to skip the check/);
  const openSsl = 'Connection error: 40BD41687A7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 116\n';
  const refused = Object.assign(new Error(openSsl), { name: 'KafkaJSConnectionError', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  assert.equal(
    toClientError('connect', ['k:9093'], refused, tls).message,
    "Kafka connect on k:9093: TLS handshake failed (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: Connection error: tlsv13 alert certificate required); the broker refused the client's certificate or got none; set ssl.keystore.certificate.chain and ssl.keystore.key (or ssl.keystore.location with ssl.keystore.type=PEM) to a client certificate the broker's truststore accepts",
  );
  assert.match(toClientError('connect', ['k:9092'], connectionError('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), tls).message, /does not speak TLS on this port; check security.protocol/);
  // Without TLS the same codes cannot come from a handshake.
  assert.equal(toClientError('connect', ['k:9092'], connectionError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'x')).code, 'KAFKA_UNREACHABLE');
  const closed = toClientError('connect', ['k:9093'], Object.assign(new Error('Closed connection'), { name: 'KafkaJSConnectionClosedError' }), tls);
  assert.equal(closed.code, 'KAFKA_REQUEST_FAILED');
  assert.equal(closed.retriable, true);
  assert.match(closed.message, /Closed connection; if the broker requires client certificates \(ssl.client.auth\), set ssl.keystore.certificate.chain/);
  assert.equal(toClientError('fetch', ['k:9093'], Object.assign(new Error('Closed connection'), { name: 'KafkaJSConnectionClosedError' }), tls).message, 'Kafka fetch on k:9093 failed: Closed connection');
});
