import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJaas, saslMechanismOf, securityOptions } from './security-properties.ts';
import { clientOptions, toClientError } from './client-options.ts';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="p\\"w;d";';

test('Kafka security keys become SASL credentials and TLS', () => {
  assert.deepEqual(securityOptions({ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password=secret;' }), {
    tls: { truststore: undefined, keystore: undefined, keyPassword: undefined, verifyHostname: true },
    ssl: undefined,
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'secret' },
  });
  assert.deepEqual(securityOptions({ 'security.protocol': 'sasl_plaintext', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS }), { tls: undefined, ssl: undefined, sasl: { mechanism: 'PLAIN', username: 'alice', password: 'p"w;d' } });
  assert.deepEqual(securityOptions({ 'security.protocol': 'SSL' }), { tls: { truststore: undefined, keystore: undefined, keyPassword: undefined, verifyHostname: true }, ssl: undefined });
  assert.deepEqual(securityOptions({}), { tls: undefined, ssl: undefined });
  assert.deepEqual(clientOptions(['a:1'], { 'security.protocol': 'SSL' }).ssl, {}, 'TLS on, trusting the bundled CAs');
  assert.deepEqual(clientOptions(['a:1'], { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS }).sasl, { mechanism: 'plain', username: 'alice', password: 'p"w;d' });
  assert.equal(saslMechanismOf({ 'sasl.mechanism': 'scram-sha-256' }), 'SCRAM-SHA-256');
  assert.equal(saslMechanismOf({ sasl: { mechanism: 'plain' } }), 'PLAIN');
  assert.equal(saslMechanismOf({}), undefined);
});

test('invalid security settings are configuration errors that say what to set', () => {
  const jaas = { 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS };
  assert.throws(() => securityOptions(jaas), /need security.protocol=SASL_PLAINTEXT or SASL_SSL \(got PLAINTEXT, the default\)/);
  assert.throws(() => securityOptions({ 'security.protocol': 'SASL_PLAINTEXT' }), /security.protocol SASL_PLAINTEXT needs sasl.mechanism/);
  assert.throws(() => securityOptions({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'GSSAPI', 'sasl.jaas.config': PLAIN_JAAS }), /sasl.mechanism GSSAPI is not supported: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/);
  assert.throws(() => securityOptions({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' }), /sasl.mechanism PLAIN needs sasl.jaas.config/);
  assert.throws(() => securityOptions({ 'security.protocol': 'TLS' }), /security.protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got TLS/);
  assert.throws(() => securityOptions({ ...jaas, 'security.protocol': 'SASL_PLAINTEXT', sasl: { mechanism: 'plain' } }), /not both/);
  assert.throws(() => parseJaas('username="a" password="b"', 'PLAIN'), /not a JAAS login module entry/);
  assert.throws(() => parseJaas('org.apache.kafka.common.security.plain.PlainLoginModule required username="a";', 'PLAIN'), /needs username and password options/);
});

test('a refused authentication is KAFKA_AUTHENTICATION_FAILED, not retriable, naming the servers and the mechanism', () => {
  const err = Object.assign(new Error('SASL PLAIN authentication failed: Authentication failed: Invalid username or password'), { name: 'KafkaJSSASLAuthenticationError' });
  const e = toClientError('connect', ['k:9092'], err, { saslMechanism: 'PLAIN', tls: false });
  assert.equal(e.code, 'KAFKA_AUTHENTICATION_FAILED');
  assert.equal(e.retriable, false);
  assert.equal(
    e.message,
    'Kafka connect on k:9092: the broker refused SASL PLAIN authentication (SASL PLAIN authentication failed: Authentication failed: Invalid username or password); check sasl.mechanism and the username and password in sasl.jaas.config',
  );
});
