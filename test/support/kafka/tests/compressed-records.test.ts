// Broker paths that read records work on every codec: produce validation, offset lookup by
// timestamp and by max timestamp, and recompression to a topic's compression.type.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { Writer } from '../protocol/writer.ts';
import type { Reader } from '../protocol/reader.ts';
import { Compression, buildBatch, decodeRecords, readHeader } from '../protocol/record-batch.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { crc32c } from '../protocol/crc32c.ts';
import { RawClient } from './raw-client.ts';
import { client } from './helpers.ts';

let broker: KafkaBroker;
let raw: RawClient;
const CODECS = Object.entries(Compression);
before(async () => {
  broker = await startKafka({ topics: Object.fromEntries(CODECS.map(([name]) => [`ts-${name}`, 1])) });
  raw = await RawClient.connect(broker.port);
});
after(async () => {
  raw.close();
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

const rec = (value: string, timestamp: number) => ({ key: null, value: Buffer.from(value), timestamp });

async function produce(topic: string, batch: Buffer): Promise<number> {
  const r = await raw.request(
    ApiKey.Produce,
    7,
    new Writer()
      .string(null)
      .int16(1)
      .int32(1000)
      .array([topic], (w, t) => w.string(t).array([0], (pw, p) => pw.int32(p).bytes(batch))),
  );
  r.int32();
  r.string();
  r.int32();
  r.int32();
  return r.int16();
}

/** ListOffsets v7 for partition 0: [error, timestamp, offset]. */
async function listOffset(topic: string, timestamp: number): Promise<[number, number, number]> {
  const body = new Writer()
    .int32(-1)
    .int8(0)
    .array([topic], (w, t) => w.string(t, true).array([0], (pw, p) => pw.int32(p).int32(-1).int64(timestamp).noTaggedFields(), true).noTaggedFields(), true)
    .noTaggedFields();
  const r: Reader = await raw.request(ApiKey.ListOffsets, 7, body, true);
  r.skipTaggedFields(); // response header v1
  r.int32();
  r.uvarint();
  r.string(true);
  r.uvarint();
  r.int32();
  return [r.int16(), r.int64(), r.int64()];
}

test('offsets by timestamp and by max timestamp are found in batches of every codec', async () => {
  for (const [name, codec] of CODECS) {
    const topic = `ts-${name}`;
    for (const base of [1000, 2000, 3000]) {
      assert.equal(await produce(topic, buildBatch([rec(`a${base}`, base), rec(`b${base}`, base + 900), rec(`c${base}`, base + 500)], { compression: codec })), ErrorCode.NONE);
    }
    assert.equal(readHeader(broker.state.topics.partition(topic, 0)?.batches[0]?.data ?? Buffer.alloc(61)).compression, codec);
    // In offset order, the first record at or after the target: 2900 comes before 2500.
    assert.deepEqual(await listOffset(topic, 1950), [ErrorCode.NONE, 2000, 3], name);
    assert.deepEqual(await listOffset(topic, 2200), [ErrorCode.NONE, 2900, 4], name);
    assert.deepEqual(await listOffset(topic, 5000), [ErrorCode.NONE, -1, -1], name);
    assert.deepEqual(await listOffset(topic, -3), [ErrorCode.NONE, 3900, 7], name);
  }
  assert.equal(raw.closed, false);
});

test('a compressed batch whose data does not decode is refused as CORRUPT_MESSAGE', async () => {
  for (const [name, codec] of CODECS.filter(([, c]) => c !== Compression.NONE)) {
    const good = buildBatch([rec('x'.repeat(200), 1)], { compression: codec });
    // Replace the compressed records with garbage and fix the CRC, so only decoding can catch it.
    const forged = Buffer.concat([good.subarray(0, 61), Buffer.from('this is not compressed data at all')]);
    forged.writeInt32BE(forged.length - 12, 8);
    forged.writeInt16BE(codec, 21);
    forged.writeUInt32BE(crc32c(forged.subarray(21)), 17);
    assert.equal(await produce(`ts-${name}`, forged), ErrorCode.CORRUPT_MESSAGE, name);
  }
});

test("a topic's compression.type recompresses what producers send, keeping records and producer fields", async () => {
  const admin = client(broker).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: 'to-lz4', numPartitions: 1, configEntries: [{ name: 'compression.type', value: 'lz4' }] }] });
    await assert.rejects(admin.createTopics({ topics: [{ topic: 'bad-config', configEntries: [{ name: 'compression.type', value: 'brotli' }] }] }), (err: unknown) => {
      assert.equal((err as { errors?: { type?: string }[] }).errors?.[0]?.type, 'INVALID_CONFIG');
      return true;
    });
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: 'to-lz4', configNames: ['compression.type', 'cleanup.policy'] }], includeSynonyms: false });
    assert.deepEqual(
      described.resources[0]?.configEntries.map((e) => [e.configName, e.configValue, e.isDefault]),
      [
        ['cleanup.policy', 'delete', true],
        ['compression.type', 'lz4', false],
      ],
    );
  } finally {
    await admin.disconnect();
  }
  const sent = buildBatch([rec('one', 10), rec('two', 20)], { compression: Compression.GZIP, producerId: 5, producerEpoch: 0, baseSequence: 0 });
  assert.equal(await produce('to-lz4', sent), ErrorCode.NONE);
  const stored = broker.state.topics.partition('to-lz4', 0)?.batches[0]?.data ?? Buffer.alloc(61);
  const h = readHeader(stored);
  assert.deepEqual([h.compression, h.producerId, h.baseSequence, h.recordCount, h.firstTimestamp, h.maxTimestamp], [Compression.LZ4, 5, 0, 2, 10, 20]);
  assert.deepEqual(
    decodeRecords(stored).map((r) => r.value?.toString()),
    ['one', 'two'],
  );
});
