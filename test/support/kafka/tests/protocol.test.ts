import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { Writer } from '../protocol/writer.ts';
import type { Reader } from '../protocol/reader.ts';
import { buildBatch } from '../protocol/record-batch.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { RawClient } from './raw-client.ts';

let broker: KafkaBroker;
let raw: RawClient;
before(async () => {
  broker = await startKafka({ topics: { p: 1, ts: 1 } });
  raw = await RawClient.connect(broker.port);
});
after(async () => {
  raw.close();
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

function produceBody(topic: string, records: Buffer, acks = 1): Writer {
  return new Writer()
    .string(null)
    .int16(acks)
    .int32(1000)
    .array([topic], (w, t) => {
      w.string(t).array([0], (pw, p) => {
        pw.int32(p).bytes(records);
      });
    });
}

function produceError(r: Reader): [number, number] {
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32();
  return [r.int16(), r.int64()];
}

const rec = (value: string, timestamp = 1000): { key: null; value: Buffer; timestamp: number } => ({ key: null, value: Buffer.from(value), timestamp });

test('ApiVersions: v3 (flexible) lists every range; an unknown version is answered in v0 with UNSUPPORTED_VERSION', async () => {
  const tooNew = await raw.request(ApiKey.ApiVersions, 4, new Writer());
  assert.equal(tooNew.int16(), ErrorCode.UNSUPPORTED_VERSION);
  const advertised = new Map(tooNew.array((x) => [x.int16(), [x.int16(), x.int16()]] as const));
  assert.deepEqual(advertised.get(ApiKey.Produce), [3, 9]);
  assert.deepEqual(advertised.get(ApiKey.Fetch), [4, 13]);
  assert.deepEqual(advertised.get(ApiKey.ApiVersions), [0, 3]);
  assert.equal(tooNew.remaining(), 0);

  const v3 = await raw.request(ApiKey.ApiVersions, 3, new Writer().string('weir-raw', true).string('1.0', true).noTaggedFields(), true);
  assert.equal(v3.int16(), ErrorCode.NONE);
  const ranges = new Map(
    v3.array((x) => {
      const entry = [x.int16(), [x.int16(), x.int16()]] as const;
      x.skipTaggedFields();
      return entry;
    }, true),
  );
  assert.equal(ranges.size, 26);
  assert.deepEqual(ranges.get(ApiKey.Metadata), [1, 12]);
  // Advertised on every listener, as Kafka does; a PLAINTEXT one answers them with ILLEGAL_SASL_STATE.
  assert.deepEqual(ranges.get(ApiKey.SaslHandshake), [0, 1]);
  assert.deepEqual(ranges.get(ApiKey.SaslAuthenticate), [0, 2]);
  assert.deepEqual(ranges.get(ApiKey.DescribeConfigs), [1, 4]);
  assert.equal(v3.int32(), 0);
  v3.skipTaggedFields();
  assert.equal(v3.remaining(), 0);

  const v0 = await raw.request(ApiKey.ApiVersions, 0, new Writer());
  assert.equal(v0.int16(), ErrorCode.NONE);
  assert.equal(v0.array((x) => x.raw(6)).length, 26);
  assert.equal(v0.remaining(), 0);

  const badName = await raw.request(ApiKey.ApiVersions, 3, new Writer().string('-bad name', true).string('1', true).noTaggedFields(), true);
  assert.equal(badName.int16(), ErrorCode.INVALID_REQUEST);
});

test('an unknown API or an unsupported version closes the connection, as Kafka does', async () => {
  for (const [key, version] of [
    [57, 0],
    [ApiKey.Produce, 2],
    [ApiKey.Fetch, 14],
  ] as const) {
    const client = await RawClient.connect(broker.port);
    client.send(key, version, new Writer());
    await client.closedByPeer();
    assert.equal(client.received.length, 0);
  }
});

test('produce validates CRC32C, single batches and assigns offsets; acks=0 gets no response', async () => {
  const good = buildBatch([rec('a'), rec('b')]);
  assert.deepEqual(produceError(await raw.request(ApiKey.Produce, 7, produceBody('p', good))), [ErrorCode.NONE, 0]);
  const corrupt = Buffer.from(good);
  corrupt[corrupt.length - 1] ^= 0xff;
  assert.deepEqual(produceError(await raw.request(ApiKey.Produce, 7, produceBody('p', corrupt))), [ErrorCode.CORRUPT_MESSAGE, -1]);
  const two = Buffer.concat([good, good]);
  assert.deepEqual(produceError(await raw.request(ApiKey.Produce, 7, produceBody('p', two))), [ErrorCode.INVALID_RECORD, -1]);
  assert.deepEqual(produceError(await raw.request(ApiKey.Produce, 7, produceBody('nope', good))), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]);

  const silent = raw.send(ApiKey.Produce, 7, produceBody('p', good, 0));
  const next = raw.send(ApiKey.ApiVersions, 2, new Writer());
  await next.response;
  assert.equal(raw.received.includes(silent.id), false);
  assert.equal(broker.state.topics.partition('p', 0)?.nextOffset, 4);

  const huge = buildBatch([rec('x'.repeat(1048600))]);
  assert.deepEqual(produceError(await raw.request(ApiKey.Produce, 7, produceBody('p', huge))), [ErrorCode.MESSAGE_TOO_LARGE, -1]);
});

test('a failed acks=0 produce closes the connection, the only way Kafka can signal it', async () => {
  const client = await RawClient.connect(broker.port);
  client.send(ApiKey.Produce, 7, produceBody('nope', buildBatch([rec('lost')]), 0));
  await client.closedByPeer();
  assert.equal(client.closed, true);
});

function fetchBody(topic: string, offset: number, maxWaitMs: number, minBytes: number, partitionMaxBytes = 1 << 20): Writer {
  return new Writer()
    .int32(-1)
    .int32(maxWaitMs)
    .int32(minBytes)
    .int32(1 << 20)
    .int8(0)
    .int32(0)
    .int32(-1)
    .array([topic], (w, t) => {
      w.string(t).array([0], (pw, p) => {
        pw.int32(p).int32(-1).int64(offset).int64(-1).int32(partitionMaxBytes);
      });
    })
    .array([], () => undefined)
    .string('');
}

test('fetch waits up to max wait for min bytes and returns as soon as data arrives', async () => {
  const end = broker.state.topics.partition('p', 0)?.nextOffset ?? -1;
  let started = Date.now();
  const empty = await raw.request(ApiKey.Fetch, 11, fetchBody('p', end, 300, 1));
  assert.ok(Date.now() - started >= 290, `returned after ${Date.now() - started} ms`);
  empty.int32();
  assert.equal(empty.int16(), ErrorCode.NONE);

  const other = await RawClient.connect(broker.port);
  started = Date.now();
  const waiting = raw.request(ApiKey.Fetch, 11, fetchBody('p', end, 5000, 1));
  setTimeout(() => {
    other.request(ApiKey.Produce, 7, produceBody('p', buildBatch([rec('late')]))).then(
      () => other.close(),
      () => other.close(),
    );
  }, 100);
  const r = await waiting;
  assert.ok(Date.now() - started < 2000);
  r.int32();
  r.int16();
  r.int32();
  r.int32();
  assert.equal(r.string(), 'p');
  r.int32();
  assert.deepEqual([r.int32(), r.int16(), r.int64()], [0, ErrorCode.NONE, end + 1]);

  const outOfRange = await raw.request(ApiKey.Fetch, 11, fetchBody('p', end + 10, 0, 0));
  outOfRange.raw(4 + 2 + 4 + 4);
  outOfRange.string();
  outOfRange.raw(4 + 4);
  assert.equal(outOfRange.int16(), ErrorCode.OFFSET_OUT_OF_RANGE);
});

test('fetch max bytes: whole batches only, but always the first one (KIP-74)', async () => {
  const batchOffsets = async (offset: number, maxBytes: number): Promise<number[]> => {
    const r = await raw.request(ApiKey.Fetch, 11, fetchBody('p', offset, 0, 0, maxBytes));
    r.raw(4 + 2 + 4 + 4);
    r.string();
    r.raw(4 + 4 + 2 + 8 + 8 + 8);
    r.nullableArray((x) => x.raw(16));
    r.int32();
    const records = r.bytes();
    const offsets: number[] = [];
    for (let pos = 0; pos < records.length; pos += 12 + records.readInt32BE(pos + 8)) offsets.push(Number(records.readBigInt64BE(pos)));
    return offsets;
  };
  const all = await batchOffsets(0, 1 << 20);
  assert.deepEqual(all, [0, 2, 4]);
  assert.deepEqual(await batchOffsets(0, 10), [0]);
  assert.deepEqual(await batchOffsets(1, 10), [0]);
  const firstSize = broker.state.topics.partition('p', 0)?.batches[0]?.data.length ?? 0;
  const secondSize = broker.state.topics.partition('p', 0)?.batches[1]?.data.length ?? 0;
  assert.deepEqual(await batchOffsets(0, firstSize + secondSize), [0, 2]);
});

test('list offsets finds the first offset at or after a timestamp', async () => {
  for (const ts of [1000, 2000, 3000]) await raw.request(ApiKey.Produce, 7, produceBody('ts', buildBatch([rec(`t${ts}`, ts), rec(`u${ts}`, ts + 500)])));
  const query = async (timestamp: number): Promise<[number, number, number]> => {
    const r = await raw.request(
      ApiKey.ListOffsets,
      3,
      new Writer()
        .int32(-1)
        .int8(0)
        .array(['ts'], (w, t) => {
          w.string(t).array([0], (pw, p) => {
            pw.int32(p).int64(timestamp);
          });
        }),
    );
    r.int32();
    r.int32();
    r.string();
    r.int32();
    r.int32();
    return [r.int16(), r.int64(), r.int64()];
  };
  assert.deepEqual(await query(2200), [ErrorCode.NONE, 2500, 3]);
  assert.deepEqual(await query(1000), [ErrorCode.NONE, 1000, 0]);
  assert.deepEqual(await query(9000), [ErrorCode.NONE, -1, -1]);
  assert.deepEqual(await query(-2), [ErrorCode.NONE, -1, 0]);
  assert.deepEqual(await query(-1), [ErrorCode.NONE, -1, 6]);
});

test('metadata auto-creates a topic, answering LEADER_NOT_AVAILABLE the first time', async () => {
  const ask = async (): Promise<[number, number]> => {
    const r = await raw.request(
      ApiKey.Metadata,
      6,
      new Writer().array(['auto'], (w, t) => {
        w.string(t);
      }).bool(true),
    );
    r.int32();
    r.array((x) => [x.int32(), x.string(), x.int32(), x.nullableString()]);
    r.nullableString();
    r.int32();
    r.int32();
    const error = r.int16();
    r.string();
    r.bool();
    return [error, r.int32()];
  };
  assert.deepEqual(await ask(), [ErrorCode.LEADER_NOT_AVAILABLE, 0]);
  assert.deepEqual(await ask(), [ErrorCode.NONE, 1]);
});

test('JoinGroup v5 without a member id gets MEMBER_ID_REQUIRED and an id to rejoin with', async () => {
  const join = (memberId: string): Promise<Reader> =>
    raw.request(
      ApiKey.JoinGroup,
      5,
      new Writer()
        .string('raw-group')
        .int32(10000)
        .int32(10000)
        .string(memberId)
        .string(null)
        .string('consumer')
        .array(['range'], (w, name) => {
          w.string(name).bytes(Buffer.from([1, 2]));
        }),
    );
  const first = await join('');
  first.int32();
  assert.equal(first.int16(), ErrorCode.MEMBER_ID_REQUIRED);
  first.int32();
  first.string();
  first.string();
  const memberId = first.string();
  assert.match(memberId, /^raw-client-[0-9a-f-]{36}$/);
  const second = await join(memberId);
  second.int32();
  assert.deepEqual([second.int16(), second.int32(), second.string(), second.string(), second.string()], [ErrorCode.NONE, 1, 'range', memberId, memberId]);
  assert.deepEqual(
    second.array((x) => [x.string(), x.nullableString(), [...x.bytes()]]),
    [[memberId, null, [1, 2]]],
  );
});
