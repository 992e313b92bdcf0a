import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TLS } from '../../../test/support/tls-fixtures.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaRecordSerializers, KafkaSink, KafkaSource, OffsetsInitializers, Serializers } from './index.ts';

const serializer = KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build();

test('KafkaSource.builder says what is missing or wrong', () => {
  const base = () => KafkaSource.builder().setBootstrapServers('127.0.0.1:9092').setTopics('in').setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string));
  assert.throws(() => KafkaSource.builder().setTopics('in').build(), /needs bootstrap servers/);
  assert.throws(() => KafkaSource.builder().setBootstrapServers('h:1').build(), /needs topics/);
  assert.throws(() => KafkaSource.builder().setBootstrapServers('h:1').setTopics('in').build(), /needs a deserializer/);
  assert.throws(() => base().setStartingOffsets(OffsetsInitializers.committedOffsets()).build(), /committed starting offsets need a group id/);
  assert.throws(() => base().setProperty('deserialization.failure', 'skip').build(), /deserialization.failure must be "fail" or "dead-letter", got "skip"/);
  const s = base().setBootstrapServers('a:1, b:2').setGroupId('g').build().settings;
  assert.deepEqual(s.bootstrapServers, ['a:1', 'b:2']);
  assert.equal(s.discoveryIntervalMs, 300_000, "Flink's default discovery interval");
  assert.equal(s.commitOffsetsOnCheckpoint, true);
  assert.equal(base().setBounded().build().settings.discoveryIntervalMs, -1, 'a bounded source discovers nothing after start');
  assert.equal(base().build().boundedness, 'CONTINUOUS_UNBOUNDED');
  assert.equal(base().setBounded().build().boundedness, 'BOUNDED');
});

test('KafkaSource.describe says what the autoscaler measures lag against: servers, listed topics or a pattern, the group it commits to, where uncommitted partitions start', () => {
  const base = () => KafkaSource.builder().setBootstrapServers('a:1,b:2').setTopics('in', 'more').setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string));
  assert.deepEqual(base().setGroupId('g').build().describe(), { type: 'kafka', bootstrapServers: ['a:1', 'b:2'], topics: ['in', 'more'], groupId: 'g', startingOffsets: 'earliest', securityProtocol: 'PLAINTEXT' });
  assert.equal(base().setGroupId('g').setStartingOffsets(OffsetsInitializers.committedOffsets('latest')).build().describe().startingOffsets, 'latest');
  assert.equal(base().setGroupId('g').setStartingOffsets(OffsetsInitializers.latest()).build().describe().startingOffsets, 'latest');
  // Without commits there is no committed offset to measure against; a pattern is described as a RegExp's source and flags.
  assert.equal(base().setGroupId('g').setProperty('commit.offsets.on.checkpoint', 'false').build().describe().groupId, undefined);
  assert.deepEqual(base().setTopicPattern(/in-.*/).setGroupId('g').build().describe(), { type: 'kafka', bootstrapServers: ['a:1', 'b:2'], topicPattern: 'in-.*', groupId: 'g', startingOffsets: 'earliest', securityProtocol: 'PLAINTEXT' });
  assert.equal(base().setTopicPattern(/^IN-/i).setGroupId('g').build().describe().topicPatternFlags, 'i');
  // Whether the client is secured, never with what: no credential or certificate is described.
  const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="secret-pw";';
  const secured = base().setProperties({ 'security.protocol': 'sasl_ssl', 'sasl.mechanism': 'PLAIN', 'sasl.jaas.config': jaas, 'ssl.truststore.type': 'PEM', 'ssl.truststore.certificates': TLS.ca }).build().describe();
  assert.equal(secured.securityProtocol, 'SASL_SSL');
  assert.doesNotMatch(JSON.stringify(secured), /secret-pw|BEGIN CERTIFICATE|jaas|truststore/);
  assert.equal(base().setProperty('security.protocol', 'SSL').build().describe().securityProtocol, 'SSL');
  assert.equal(base().setProperty('sasl', { mechanism: 'plain', username: 'u', password: 'p' }).build().describe().securityProtocol, 'SASL_PLAINTEXT');
});

test('KafkaSink.builder says what is missing or wrong', () => {
  const base = () => KafkaSink.builder<string>().setBootstrapServers('127.0.0.1:9092').setRecordSerializer(serializer);
  assert.throws(() => KafkaSink.builder<string>().setRecordSerializer(serializer).build(), /needs bootstrap servers/);
  assert.throws(() => KafkaSink.builder<string>().setBootstrapServers('h:1').build(), /needs a record serializer/);
  assert.throws(() => base().setDeliveryGuarantee('EXACTLY_ONCE').build(), /EXACTLY_ONCE needs a transactional id prefix/);
  assert.throws(() => base().setDeliveryGuarantee('EXACTLY_ONCE').setTransactionalIdPrefix('p').setProperty('acks', '1').build(), /EXACTLY_ONCE needs acks=all/);
  assert.throws(() => base().setProperty('acks', '2').build(), /acks must be 0, 1, -1 or all, got 2/);
  assert.throws(() => base().setProperty('compression.type', 'brotli').build(), /compression.type must be one of none, gzip, snappy, lz4, zstd, got "brotli"/);
  assert.throws(() => base().setProperty('transactional.id.pool.size', 2).build(), /transactional.id.pool.size must be a whole number >= 3/);
  const s = base().setDeliveryGuarantee('AT_LEAST_ONCE').build().settings;
  assert.equal(s.acks, -1);
  assert.equal(s.transactionTimeoutMs, 60_000);
  assert.equal(base().build().settings.acks, 1, 'NONE defaults to acks=1');
});

test('the record serializer needs a topic and a value serializer, and keeps event time as the timestamp', () => {
  assert.throws(() => KafkaRecordSerializers.builder<string>().setValueSerializationSchema(Serializers.string).build(), /needs a topic/);
  assert.throws(() => KafkaRecordSerializers.builder<string>().setTopic('t').build(), /needs a value serializer/);
  const r = KafkaRecordSerializers.builder<{ id: number }>()
    .setTopicSelector((v) => `t${v.id % 2}`)
    .setKeySerializationSchema(Serializers.string, (v) => String(v.id))
    .setValueSerializationSchema(Serializers.json<{ id: number }>())
    .build();
  const rec = r.serialize({ id: 3 }, 1234);
  assert.equal(rec.topic, 't1');
  assert.equal(new TextDecoder().decode(rec.key!), '3');
  assert.equal(new TextDecoder().decode(rec.value!), '{"id":3}');
  assert.equal(rec.timestamp, 1234);
  assert.equal(r.serialize({ id: 2 }, NaN).timestamp, undefined, 'no event time: the broker stamps it');
});
