import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientOptions, toClientError } from './client-options.ts';

test('Kafka-named client properties become the client\'s options; SASL and SSL pass through', () => {
  const sasl = { mechanism: 'plain', username: 'u', password: 'p' };
  const o = clientOptions(['a:1'], { 'client.id': 'orders-job', 'request.timeout.ms': '5000', 'socket.connection.setup.timeout.ms': 2000, retries: 3, 'retry.backoff.ms': 50, 'retry.backoff.max.ms': 800, ssl: true, sasl });
  assert.deepEqual(o, { brokers: ['a:1'], clientId: 'orders-job', ssl: true, sasl, connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 3, initialRetryTime: 50, maxRetryTime: 800 } });
  assert.equal(clientOptions(['a:1'], {}).clientId, 'weir');
  assert.throws(() => clientOptions(['a:1'], { retries: 'many' }), /Kafka property retries must be a non-negative number, got many/);
  assert.throws(() => clientOptions([], {}), /bootstrap servers are missing/);
});

test('client errors: a connection failure is KAFKA_UNREACHABLE, a missing topic non-retriable, the rest retriable', () => {
  const conn = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), { name: 'KafkaJSConnectionError' });
  const e1 = toClientError('fetch', ['127.0.0.1:1'], conn);
  assert.equal(e1.code, 'KAFKA_UNREACHABLE');
  assert.equal(e1.retriable, true);
  assert.equal(e1.message, 'Kafka fetch on 127.0.0.1:1 failed: Connection error: connect ECONNREFUSED 127.0.0.1:1');
  const topic = Object.assign(new Error('This server does not host this topic-partition'), { name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION' });
  const e2 = toClientError('produce', ['b:2'], topic);
  assert.equal(e2.code, 'KAFKA_TOPIC_NOT_FOUND');
  assert.equal(e2.retriable, false);
  const other = toClientError('commit offsets', ['b:2'], new Error('boom'));
  assert.equal(other.code, 'KAFKA_REQUEST_FAILED');
  assert.equal(other.retriable, true);
});
