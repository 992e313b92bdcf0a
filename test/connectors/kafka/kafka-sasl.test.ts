/**
 * KafkaSource and KafkaSink through a SASL_PLAINTEXT broker, configured with Kafka's own keys
 * (security.protocol, sasl.mechanism, sasl.jaas.config): the source authenticates with
 * SCRAM-SHA-256, the sink with PLAIN. A wrong password fails the job at once with an error
 * naming the broker and the mechanism, not a restart loop or a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runJob } from '../../../src/runtime/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import type { KafkaBroker } from '../../support/kafka/index.ts';
import { cleanups, produce, readAll } from './kafka-helpers.ts';
import { securedPipeline } from './secured-pipeline.ts';

/** The test's own kafkajs clients (input and check) use the third mechanism. */
const ADMIN = { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' } as const;

const scram = (password: string) => ({
  'security.protocol': 'SASL_PLAINTEXT',
  'sasl.mechanism': 'SCRAM-SHA-256',
  'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="reader" password="${password}";`,
});

const plain = (password: string) => ({
  'security.protocol': 'SASL_PLAINTEXT',
  'sasl.mechanism': 'PLAIN',
  'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="writer" password="${password}";`,
});

const pipeline = (kafka: KafkaBroker, sourceProps: Record<string, string>, sinkProps: Record<string, string>) => securedPipeline(kafka, 'sasl-job', sourceProps, sinkProps);

async function saslKafka(t: { after(fn: () => Promise<void>): void }): Promise<KafkaBroker> {
  const defer = cleanups(t);
  const kafka = await startKafka({
    topics: { in: 2, out: 1 },
    sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], users: { admin: 'admin-secret', reader: 'reader-secret', writer: 'writer-secret' } },
  });
  defer(() => kafka.stop());
  await produce(kafka.brokers, 'in', ['a', 'b', 'c', 'd'].map((value, i) => ({ value, partition: i % 2 })), ADMIN);
  return kafka;
}

test('a KafkaSource (SCRAM-SHA-256) and an EXACTLY_ONCE KafkaSink (PLAIN) read and write through a SASL broker', async (t) => {
  const kafka = await saslKafka(t);
  const result = await runJob(pipeline(kafka, scram('reader-secret'), plain('writer-secret')));
  assert.equal(result.state, 'FINISHED', result.error?.message);
  assert.deepEqual((await readAll(kafka.brokers, 'out', true, ADMIN)).map((r) => r.value).sort(), ['A', 'B', 'C', 'D']);
  assert.deepEqual(kafka.errors, []);
});

test('a wrong password fails the job at once, naming the broker and the mechanism', async (t) => {
  const kafka = await saslKafka(t);
  const source = await runJob(pipeline(kafka, scram('wrong'), plain('writer-secret')));
  assert.equal(source.state, 'FAILED');
  assert.equal(source.error?.code, 'KAFKA_AUTHENTICATION_FAILED');
  assert.match(source.error.message, new RegExp(`on ${kafka.brokers[0]}: the broker refused SASL SCRAM-SHA-256 authentication \\(.*Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256\\)`));
  const sink = await runJob(pipeline(kafka, scram('reader-secret'), plain('wrong')));
  assert.equal(sink.state, 'FAILED');
  assert.equal(sink.error?.code, 'KAFKA_AUTHENTICATION_FAILED');
  assert.match(sink.error.message, new RegExp(`on ${kafka.brokers[0]}: the broker refused SASL PLAIN authentication \\(.*Authentication failed: Invalid username or password\\)`));
  assert.deepEqual(await readAll(kafka.brokers, 'out', true, ADMIN), []);
  assert.deepEqual(kafka.errors, []);
});
