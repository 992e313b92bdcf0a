/**
 * KafkaSource and KafkaSink through SSL and SASL_SSL brokers, configured with Kafka's own PEM
 * keys (ssl.truststore.*, ssl.keystore.*, ssl.key.password, ssl.endpoint.identification.algorithm):
 * inline certificates and files, a client certificate where the broker requires one. A client
 * that does not trust the broker, has no certificate the broker wants, or meets a certificate
 * for another name fails the job with KAFKA_TLS_HANDSHAKE_FAILED saying what to set, after the
 * client's bounded retries, not a restart loop or a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../../src/runtime/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import type { KafkaBroker, StartKafkaOptions } from '../../support/kafka/index.ts';
import { CLIENT_KEY_PASSWORD, TLS } from '../../support/tls-fixtures.ts';
import { eventually } from '../../support/eventually.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaRecordSerializers, KafkaSink, KafkaSource, Serializers } from '../../../src/connectors/kafka/index.ts';
import { cleanups, produce, readAll } from './kafka-helpers.ts';
import { securedPipeline } from './secured-pipeline.ts';

type Props = Record<string, string>;

/** The test's own kafkajs clients (input and check) connect with a client certificate and SCRAM-SHA-512 where needed. */
const CHECK_SSL = { ca: TLS.ca, cert: TLS.client.cert, key: TLS.client.key };
const ADMIN = { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' } as const;

/** One retry, for the runs that must fail: a refused handshake ends the job in well under a second. */
const FAST = { retries: '1', 'retry.backoff.ms': '20' };
const trustInline: Props = { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': TLS.ca };
const trustFile: Props = { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': TLS.files.ca };

const pipeline = (kafka: KafkaBroker, sourceProps: Record<string, string>, sinkProps: Record<string, string>) => securedPipeline(kafka, 'tls-job', sourceProps, sinkProps);

async function tlsKafka(t: { after(fn: () => Promise<void>): void }, options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 2, out: 1 }, tls: TLS.broker, ...options });
  defer(() => kafka.stop());
  const sasl = options.sasl === undefined ? undefined : ADMIN;
  const ssl = { ...CHECK_SSL, checkServerIdentity: () => undefined };
  await produce(kafka.brokers, 'in', ['a', 'b', 'c', 'd'].map((value, i) => ({ value, partition: i % 2 })), sasl, ssl);
  return kafka;
}

const output = (kafka: KafkaBroker, sasl?: typeof ADMIN) => readAll(kafka.brokers, 'out', true, sasl, { ...CHECK_SSL, checkServerIdentity: () => undefined });

test('SSL: a KafkaSource trusting an inline PEM CA and an EXACTLY_ONCE KafkaSink trusting a PEM file read and write', async (t) => {
  const kafka = await tlsKafka(t);
  const result = await runJob(pipeline(kafka, trustInline, trustFile));
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual((await output(kafka)).map((r) => r.value).sort(), ['A', 'B', 'C', 'D']);
  assert.equal(kafka.tlsHandshakesFailed(), 0);
  assert.deepEqual(kafka.errors, []);
});

test('SASL_SSL with ssl.client.auth=required: SCRAM plus an inline client certificate, PLAIN plus a keystore file with an encrypted key', async (t) => {
  const kafka = await tlsKafka(t, {
    tls: { ...TLS.broker, clientAuth: 'required', ca: TLS.ca },
    sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], users: { admin: 'admin-secret', reader: 'reader-secret', writer: 'writer-secret' } },
  });
  const source: Props = {
    ...trustInline,
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-256',
    'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="reader" password="reader-secret";',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.certificate.chain': TLS.client.cert,
    'ssl.keystore.key': TLS.client.key,
  };
  const sink: Props = {
    ...trustFile,
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="writer" password="writer-secret";',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': TLS.files.clientKeystore,
    'ssl.key.password': CLIENT_KEY_PASSWORD,
  };
  const result = await runJob(pipeline(kafka, source, sink));
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual((await output(kafka, ADMIN)).map((r) => r.value).sort(), ['A', 'B', 'C', 'D']);
  assert.equal(kafka.tlsHandshakesFailed(), 0);
  assert.deepEqual(kafka.errors, []);
});

test('a source that does not trust the broker\'s CA fails the job at once with KAFKA_TLS_HANDSHAKE_FAILED naming the truststore keys', async (t) => {
  const kafka = await tlsKafka(t);
  const result = await runJob(pipeline(kafka, { ...trustInline, ...FAST, 'ssl.truststore.certificates': TLS.otherCa }, trustFile));
  assert.equal(result.state, 'FAILED');
  assert.equal(result.error?.code, 'KAFKA_TLS_HANDSHAKE_FAILED');
  assert.match(
    result.error.message,
    new RegExp(`Kafka connect on ${kafka.brokers[0]}: TLS handshake failed \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE: Connection error: unable to verify the first certificate[^)]*\\); the broker's certificate is not trusted; set ssl.truststore.certificates`),
  );
  // retries=1: two attempts, each refused by the client (the broker learns of it just after).
  await eventually(() => (kafka.tlsHandshakesFailed() === 2 ? true : undefined), 10_000, 'two failed handshakes', () => kafka.tlsHandshakesFailed());
  assert.deepEqual(await output(kafka), []);
});

test('a sink without the client certificate the broker requires fails the job with KAFKA_TLS_HANDSHAKE_FAILED naming the keystore keys', async (t) => {
  const kafka = await tlsKafka(t, { tls: { ...TLS.broker, clientAuth: 'required', ca: TLS.ca } });
  const withCert = { ...trustInline, 'ssl.keystore.certificate.chain': TLS.client.cert, 'ssl.keystore.key': TLS.client.key };
  const result = await runJob(pipeline(kafka, withCert, { ...trustFile, ...FAST }));
  assert.equal(result.state, 'FAILED');
  assert.equal(result.error?.code, 'KAFKA_TLS_HANDSHAKE_FAILED');
  assert.match(result.error.message, /TLS handshake failed \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: Connection error: tlsv13 alert certificate required\); the broker refused the client's certificate or got none; set ssl.keystore.certificate.chain and ssl.keystore.key/);
  assert.deepEqual(await output(kafka), []);
});

test('hostname verification: a broker certificate for another name fails the job unless ssl.endpoint.identification.algorithm is empty', async (t) => {
  const kafka = await tlsKafka(t, { tls: TLS.misnamedBroker });
  const refused = await runJob(pipeline(kafka, { ...trustInline, ...FAST }, { ...trustFile, ...FAST }));
  assert.equal(refused.state, 'FAILED');
  assert.equal(refused.error?.code, 'KAFKA_TLS_HANDSHAKE_FAILED');
  assert.match(refused.error.message, /\(ERR_TLS_CERT_ALTNAME_INVALID: .*\); the broker's certificate does not name the host connected to; .*set ssl.endpoint.identification.algorithm= \(empty\) to skip the check/);
  const unchecked = { 'ssl.endpoint.identification.algorithm': '' };
  const result = await runJob(pipeline(kafka, { ...trustInline, ...unchecked }, { ...trustFile, ...unchecked }));
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual((await output(kafka)).map((r) => r.value).sort(), ['A', 'B', 'C', 'D']);
});

test('contradictory or JVM-only SSL properties fail when the source or sink is built, before any connection', () => {
  const source = (p: Props) => KafkaSource.builder().setBootstrapServers('127.0.0.1:9').setTopics('in').setProperties(p).setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string)).build();
  const sink = (p: Props) => KafkaSink.builder<string>().setBootstrapServers('127.0.0.1:9').setProperties(p).setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build()).build();
  const invalid = (message: RegExp) => (err: unknown) => (err as { code?: string }).code === 'KAFKA_INVALID_CONFIGURATION' && message.test((err as Error).message);
  assert.throws(() => source({ ...trustInline, 'ssl.truststore.location': TLS.files.ca }), invalid(/ssl.truststore.location and ssl.truststore.certificates both give the truststore: set one/));
  assert.throws(() => sink({ ...trustFile, 'ssl.keystore.location': '/etc/kafka/client.keystore.jks', 'ssl.keystore.password': 'changeit' }), invalid(/ssl.keystore.password: a PEM keystore has no store password/));
  assert.throws(() => sink({ 'ssl.truststore.certificates': TLS.ca }), invalid(/ssl.\* properties need security.protocol=SSL or SASL_SSL \(got PLAINTEXT, the default\)/));
});
