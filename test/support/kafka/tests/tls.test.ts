// SSL and SASL_SSL listeners, used by kafkajs and @platformatic/kafka unmodified: the same
// produce, group and transaction steps over TLS (with a required client certificate and
// SCRAM on top), the listener as Metadata, FindCoordinator and DescribeConfigs advertise it,
// and the handshakes that must fail: an untrusted CA, a certificate for another host name, a
// missing or foreign client certificate, a client speaking PLAINTEXT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { Admin } from '@platformatic/kafka';
import { startKafka } from '../index.ts';
import type { KafkaBroker, StartKafkaOptions } from '../index.ts';
import { TLS } from '../../tls-fixtures.ts';
import { until } from './helpers.ts';
import type { ClientSecurity, TestClient } from './clients/test-client.ts';
import { kafkajsClient } from './clients/kafkajs-client.ts';
import { platformaticClient } from './clients/platformatic-client.ts';

const USERS = { alice: 'alice-secret' };
const TRUST = { ca: TLS.ca };
const WITH_CLIENT_CERT = { ca: TLS.ca, cert: TLS.client.cert, key: TLS.client.key };

async function tlsBroker(t: { after(fn: () => Promise<void>): void }, options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const broker = await startKafka({ tls: TLS.broker, transactionAbortCheckIntervalMs: 100, ...options });
  t.after(async () => {
    await broker.stop();
    assert.deepEqual(broker.errors, []);
  });
  return broker;
}

const kafkajs = (broker: KafkaBroker, ssl: ConnectionOptions | boolean | undefined, retries = 0) =>
  new Kafka({ brokers: broker.brokers, clientId: 'tls-kafkajs', ssl, logLevel: logLevel.NOTHING, retry: { retries, initialRetryTime: 20, maxRetryTime: 50 } });

/** The error and its causes' messages, one string, for matching what a client reports. */
function messages(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as { message?: string; errors?: unknown[]; cause?: unknown; originalError?: unknown };
  return [e.message ?? '', ...(e.errors ?? []).map(messages), e.cause === undefined ? '' : messages(e.cause), e.originalError === undefined ? '' : messages(e.originalError)].join(' | ');
}

const LISTENERS: { name: string; options: StartKafkaOptions; security: ClientSecurity }[] = [
  { name: 'SSL', options: {}, security: { tls: TRUST } },
  {
    name: 'SASL_SSL with ssl.client.auth=required',
    options: { sasl: { mechanisms: ['SCRAM-SHA-256'], users: USERS }, tls: { ...TLS.broker, clientAuth: 'required', ca: TLS.ca } },
    security: { tls: WITH_CLIENT_CERT, sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-secret' } },
  },
];

for (const listener of LISTENERS) {
  for (const driver of [kafkajsClient, platformaticClient]) {
    test(`${driver === kafkajsClient ? 'kafkajs' : 'platformatic'} on ${listener.name}: produce, a consumer group with committed offsets, a transaction`, async (t) => {
      const broker = await tlsBroker(t, listener.options);
      const client: TestClient = driver(broker, listener.security);
      t.after(() => client.close());
      await client.createTopic('orders', 2);
      assert.deepEqual(await client.partitionLeaders('orders'), [
        [0, 0],
        [1, 0],
      ]);
      await client.produce('orders', [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 })));
      const txn = await client.transactional('tls-txn');
      await txn.transact('orders', [{ key: 'k4', value: 'committed', partition: 0 }], true);
      await txn.transact('orders', [{ key: 'k5', value: 'aborted', partition: 1 }], false);
      await txn.close();
      const sub = await client.consume('orders', 'tls-group');
      await until(() => sub.messages.length === 5, 10000, 'five committed records');
      await sub.close();
      assert.deepEqual(sub.messages.map((m) => m.value).sort(), ['committed', 'v0', 'v1', 'v2', 'v3']);
      // Past the last record each consumer was given: p0 v0, v2, committed (then a marker);
      // p1 v1, v3 (then the aborted record and its marker).
      assert.deepEqual(await client.committed('tls-group', 'orders', [0, 1]), [3, 2]);
      assert.equal(broker.tlsHandshakesFailed(), 0);
    });
  }
}

test('Metadata, FindCoordinator and DescribeConfigs advertise the SSL listener under advertisedHost, which the certificate is checked against', async (t) => {
  const broker = await tlsBroker(t, { advertisedHost: 'localhost', topics: { t: 1 } });
  assert.deepEqual(broker.brokers, [`localhost:${broker.port}`]);
  assert.equal(broker.securityProtocol, 'SSL');
  const admin = kafkajs(broker, TRUST).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const cluster = await admin.describeCluster();
  assert.deepEqual(cluster.brokers, [{ nodeId: 0, host: 'localhost', port: broker.port }]);
  const [configs] = (await admin.describeConfigs({ resources: [{ type: 4, name: '0', configNames: ['listeners', 'advertised.listeners', 'ssl.client.auth'] }], includeSynonyms: false })).resources;
  assert.deepEqual(
    configs?.configEntries.map((e) => [e.configName, e.configValue]),
    [
      ['listeners', `SSL://127.0.0.1:${broker.port}`],
      ['advertised.listeners', `SSL://localhost:${broker.port}`],
      ['ssl.client.auth', 'none'],
    ],
  );
  // The group coordinator is reached at the advertised address, over TLS.
  assert.deepEqual(await admin.fetchOffsets({ groupId: 'g', topics: ['t'] }), [{ topic: 't', partitions: [{ partition: 0, offset: '-1', metadata: null }] }]);
});

/** Waits for the broker to count `n` failed handshakes (it may learn of one after the client). */
const handshakesFailed = (broker: KafkaBroker, n: number) => until(() => broker.tlsHandshakesFailed() === n, 20_000, `${n} failed TLS handshakes`);

test('a client that does not trust the CA fails the handshake with the reason, once per attempt of its bounded retries', async (t) => {
  const broker = await tlsBroker(t, { topics: { t: 1 } });
  await assert.rejects(kafkajs(broker, { ca: TLS.otherCa }, 2).admin().connect(), (err: unknown) => {
    assert.match(messages(err), /unable to verify the first certificate/);
    return true;
  });
  await handshakesFailed(broker, 3);
  const platformatic = new Admin({ clientId: 'tls-platformatic', bootstrapBrokers: broker.brokers, retries: 1, retryDelay: 20, tls: { ca: TLS.otherCa } });
  t.after(() => platformatic.close());
  await assert.rejects(platformatic.metadata({ topics: ['t'] }), (err: unknown) => {
    assert.match(messages(err), /unable to verify the first certificate/);
    return true;
  });
  await handshakesFailed(broker, 5);
});

test('hostname verification: a certificate for another name is refused unless the client turns the check off', async (t) => {
  const broker = await tlsBroker(t, { tls: TLS.misnamedBroker, topics: { t: 1 } });
  await assert.rejects(kafkajs(broker, TRUST).admin().connect(), (err: unknown) => {
    assert.match(messages(err), /Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list/);
    return true;
  });
  const admin = kafkajs(broker, { ...TRUST, checkServerIdentity: () => undefined }).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  assert.deepEqual(await admin.listTopics(), ['t']);
});

test('ssl.client.auth=required: no client certificate, or one from another CA, is refused; kafkajs and platformatic with one are served', async (t) => {
  const broker = await tlsBroker(t, { tls: { ...TLS.broker, clientAuth: 'required', ca: TLS.ca }, topics: { t: 1 } });
  // TLS 1.3: the client learns of the refusal after its side of the handshake, by an alert or a close.
  await assert.rejects(kafkajs(broker, TRUST).admin().connect(), /alert certificate required/);
  await handshakesFailed(broker, 1);
  await assert.rejects(kafkajs(broker, { ...TRUST, cert: TLS.stranger.cert, key: TLS.stranger.key }).admin().connect(), /Closed connection/);
  await handshakesFailed(broker, 2);
  const refused = new Admin({ clientId: 'tls-platformatic', bootstrapBrokers: broker.brokers, retries: 0, tls: TRUST });
  t.after(() => refused.close());
  await assert.rejects(refused.metadata({ topics: ['t'] }));
  await handshakesFailed(broker, 3);

  const admin = kafkajs(broker, WITH_CLIENT_CERT).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  assert.deepEqual(await admin.listTopics(), ['t']);
  const served = new Admin({ clientId: 'tls-platformatic', bootstrapBrokers: broker.brokers, tls: WITH_CLIENT_CERT });
  t.after(() => served.close());
  assert.equal((await served.metadata({ topics: ['t'] })).topics.get('t')?.partitionsCount, 1);
});

test('ssl.client.auth=requested: a client without a certificate is served, one whose certificate does not verify is not', async (t) => {
  const broker = await tlsBroker(t, { tls: { ...TLS.broker, clientAuth: 'requested', ca: TLS.ca }, topics: { t: 1 } });
  await assert.rejects(kafkajs(broker, { ...TRUST, cert: TLS.stranger.cert, key: TLS.stranger.key }).admin().connect());
  await handshakesFailed(broker, 1);
  for (const ssl of [TRUST, WITH_CLIENT_CERT]) {
    const admin = kafkajs(broker, ssl).admin();
    await admin.connect();
    t.after(() => admin.disconnect());
    assert.deepEqual(await admin.listTopics(), ['t']);
  }
});

test('a PLAINTEXT client on the SSL listener gets no answer but a closed connection; dropConnections and restart keep TLS', async (t) => {
  const broker = await tlsBroker(t, { topics: { t: 1 } });
  await assert.rejects(kafkajs(broker, undefined).admin().connect());
  await handshakesFailed(broker, 1);
  const admin = kafkajs(broker, TRUST).admin();
  await admin.connect();
  assert.equal(broker.dropConnections(), 1);
  await admin.disconnect();
  await broker.restart();
  const again = kafkajs(broker, TRUST).admin();
  await again.connect();
  t.after(() => again.disconnect());
  assert.deepEqual(await again.listTopics(), ['t']);
  assert.equal(broker.tlsHandshakesFailed(), 1);
});
