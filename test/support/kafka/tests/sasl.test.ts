// SASL_PLAINTEXT with PLAIN and SCRAM-SHA-256/512: kafkajs (SaslHandshake v1, SaslAuthenticate
// v1), @platformatic/kafka (SaslAuthenticate v2, flexible) and raw requests (handshake v0
// with bare tokens, the refusals and closes of Kafka's SaslServerAuthenticator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import type { SASLOptions } from 'kafkajs';
import { Admin } from '@platformatic/kafka';
import { startKafka } from '../index.ts';
import type { KafkaBroker, SaslMechanismName } from '../index.ts';
import { Writer } from '../protocol/writer.ts';
import type { Reader } from '../protocol/reader.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { RawClient } from './raw-client.ts';

const USERS = { alice: 'alice-secret', 'bob,=x': 'bob-secret' };

async function saslBroker(t: { after(fn: () => Promise<void>): void }, mechanisms: SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']): Promise<KafkaBroker> {
  const broker = await startKafka({ topics: { t: 1 }, sasl: { mechanisms, users: USERS } });
  t.after(async () => {
    await broker.stop();
    assert.deepEqual(broker.errors, []);
  });
  return broker;
}

const kafkajs = (broker: KafkaBroker, sasl: SASLOptions) => new Kafka({ brokers: broker.brokers, clientId: 'sasl-kafkajs', sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 } });

for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
  test(`kafkajs ${mechanism}: produces and consumes when authenticated; a wrong password fails with Kafka's message`, async (t) => {
    const broker = await saslBroker(t);
    const ok = kafkajs(broker, { mechanism, username: 'alice', password: 'alice-secret' });
    const producer = ok.producer();
    await producer.connect();
    await producer.send({ topic: 't', messages: [{ value: 'v1' }, { value: 'v2' }] });
    await producer.disconnect();
    const admin = ok.admin();
    await admin.connect();
    assert.deepEqual((await admin.fetchTopicOffsets('t')).map((o) => o.high), ['2']);
    await admin.disconnect();

    const bad = kafkajs(broker, { mechanism, username: 'alice', password: 'wrong' }).admin();
    const expected = mechanism === 'plain' ? 'Authentication failed: Invalid username or password' : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism.toUpperCase()}`;
    await assert.rejects(bad.connect(), (err: Error) => err.name === 'KafkaJSSASLAuthenticationError' && err.message.includes(expected));
  });
}

test('kafkajs SCRAM-SHA-256 escapes "," and "=" in user names (=2C, =3D)', async (t) => {
  const broker = await saslBroker(t, ['SCRAM-SHA-256']);
  const admin = kafkajs(broker, { mechanism: 'scram-sha-256', username: 'bob,=x', password: 'bob-secret' }).admin();
  await admin.connect();
  assert.deepEqual(await admin.listTopics(), ['t']);
  await admin.disconnect();
});

for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
  test(`@platformatic/kafka ${mechanism} (SaslAuthenticate v2): metadata when authenticated; a wrong password is refused`, async (t) => {
    const broker = await saslBroker(t);
    const admin = new Admin({ clientId: 'sasl-platformatic', bootstrapBrokers: broker.brokers, sasl: { mechanism, username: 'alice', password: 'alice-secret' } });
    t.after(() => admin.close());
    const meta = await admin.metadata({ topics: ['t'] });
    assert.equal(meta.topics.get('t')?.partitionsCount, 1);
    const bad = new Admin({ clientId: 'sasl-platformatic', bootstrapBrokers: broker.brokers, retries: 0, sasl: { mechanism, username: 'alice', password: 'wrong' } });
    t.after(() => bad.close());
    const expected = mechanism === 'PLAIN' ? 'Authentication failed: Invalid username or password' : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
    await assert.rejects(bad.metadata({ topics: ['t'] }), (err: unknown) => {
      assert.deepEqual(saslAuthenticateResponse(err), { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: expected });
      return true;
    });
  });
}

/** The SaslAuthenticate response @platformatic/kafka nests in its errors' causes. */
function saslAuthenticateResponse(err: unknown): { errorCode: number; errorMessage: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { response?: { errorCode?: number; errorMessage?: string }; errors?: unknown[]; cause?: unknown };
  if (e.response?.errorCode !== undefined && e.response.errorMessage !== undefined) return { errorCode: e.response.errorCode, errorMessage: e.response.errorMessage };
  for (const inner of [...(e.errors ?? []), e.cause]) {
    const found = saslAuthenticateResponse(inner);
    if (found) return found;
  }
  return undefined;
}

const apiVersionsV0 = () => new Writer();
const handshake = (mechanism: string) => new Writer().string(mechanism);
const plainToken = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);
const metadataV1 = () => new Writer().int32(-1);

function authenticateResponse(r: Reader): { errorCode: number; errorMessage: string | null; authBytes: Buffer } {
  return { errorCode: r.int16(), errorMessage: r.nullableString(), authBytes: r.bytes() };
}

test('raw: before authentication only ApiVersions (once) and SaslHandshake are served; anything else closes the connection', async (t) => {
  const broker = await saslBroker(t);
  const metadataFirst = await RawClient.connect(broker.port);
  metadataFirst.send(ApiKey.Metadata, 1, metadataV1());
  await metadataFirst.closedByPeer();

  const twice = await RawClient.connect(broker.port);
  assert.equal((await twice.request(ApiKey.ApiVersions, 0, apiVersionsV0())).int16(), ErrorCode.NONE);
  twice.send(ApiKey.ApiVersions, 0, apiVersionsV0());
  await twice.closedByPeer();

  // After a handshake, only SaslAuthenticate.
  const afterHandshake = await RawClient.connect(broker.port);
  assert.equal((await afterHandshake.request(ApiKey.SaslHandshake, 1, handshake('PLAIN'))).int16(), ErrorCode.NONE);
  afterHandshake.send(ApiKey.Metadata, 1, metadataV1());
  await afterHandshake.closedByPeer();
});

test('raw: an unknown mechanism is answered with UNSUPPORTED_SASL_MECHANISM and the enabled ones, then the connection closes', async (t) => {
  const broker = await saslBroker(t);
  const raw = await RawClient.connect(broker.port);
  const closed = raw.closedByPeer();
  const res = await raw.request(ApiKey.SaslHandshake, 1, handshake('GSSAPI'));
  assert.equal(res.int16(), ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  assert.deepEqual(res.array((x) => x.string()), ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
  await closed;
});

test('raw: SaslAuthenticate v0 with a wrong password gets SASL_AUTHENTICATION_FAILED and a message, then the connection closes', async (t) => {
  const broker = await saslBroker(t);
  const raw = await RawClient.connect(broker.port);
  assert.equal((await raw.request(ApiKey.SaslHandshake, 1, handshake('PLAIN'))).int16(), ErrorCode.NONE);
  const closed = raw.closedByPeer();
  const authenticate = raw.send(ApiKey.SaslAuthenticate, 0, new Writer().bytes(plainToken('alice', 'wrong')));
  // Pipelined behind the failing token: never served.
  const metadata = raw.send(ApiKey.Metadata, 1, metadataV1());
  const res = authenticateResponse(await authenticate.response);
  assert.deepEqual(res, { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: 'Authentication failed: Invalid username or password', authBytes: Buffer.alloc(0) });
  await closed;
  assert.deepEqual(raw.received, [1, authenticate.id]);
  assert.equal(metadata.id, authenticate.id + 1);
});

test('raw: SaslAuthenticate v1 authenticates (session lifetime 0); then requests are served and another handshake is an ILLEGAL_SASL_STATE', async (t) => {
  const broker = await saslBroker(t);
  const raw = await RawClient.connect(broker.port);
  t.after(() => raw.close());
  assert.equal((await raw.request(ApiKey.SaslHandshake, 1, handshake('PLAIN'))).int16(), ErrorCode.NONE);
  const r = await raw.request(ApiKey.SaslAuthenticate, 1, new Writer().bytes(plainToken('alice', 'alice-secret')));
  assert.deepEqual(authenticateResponse(r), { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: Buffer.alloc(0) });
  assert.equal(r.int64(), 0);
  const meta = await raw.request(ApiKey.Metadata, 1, metadataV1());
  assert.equal(meta.array((b) => [b.int32(), b.string(), b.int32(), b.nullableString()])[0]![2], broker.port);
  assert.equal((await raw.request(ApiKey.SaslHandshake, 1, handshake('PLAIN'))).int16(), ErrorCode.ILLEGAL_SASL_STATE);
});

test('raw: after SaslHandshake v0 the token goes bare; success answers an empty frame, failure closes the connection', async (t) => {
  const broker = await saslBroker(t);
  const raw = await RawClient.connect(broker.port);
  t.after(() => raw.close());
  assert.equal((await raw.request(ApiKey.SaslHandshake, 0, handshake('PLAIN'))).int16(), ErrorCode.NONE);
  assert.deepEqual(await raw.rawToken(plainToken('alice', 'alice-secret')), Buffer.alloc(0));
  assert.equal((await raw.request(ApiKey.ApiVersions, 0, apiVersionsV0())).int16(), ErrorCode.NONE);

  const bad = await RawClient.connect(broker.port);
  assert.equal((await bad.request(ApiKey.SaslHandshake, 0, handshake('PLAIN'))).int16(), ErrorCode.NONE);
  void bad.rawToken(plainToken('alice', 'wrong'));
  await bad.closedByPeer();
});

test('raw: a PLAINTEXT listener answers SaslHandshake and SaslAuthenticate with ILLEGAL_SASL_STATE', async (t) => {
  const broker = await startKafka();
  t.after(() => broker.stop());
  const raw = await RawClient.connect(broker.port);
  t.after(() => raw.close());
  assert.equal((await raw.request(ApiKey.SaslHandshake, 1, handshake('PLAIN'))).int16(), ErrorCode.ILLEGAL_SASL_STATE);
  const res = authenticateResponse(await raw.request(ApiKey.SaslAuthenticate, 0, new Writer().bytes(plainToken('alice', 'x'))));
  assert.deepEqual(res, { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: Buffer.alloc(0) });
});
