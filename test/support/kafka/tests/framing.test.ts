// Request framing: a large request is read in linear time and does not hold up other clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startKafka } from '../index.ts';
import type { KafkaBroker } from '../index.ts';
import { FrameDecoder, FrameTooLargeError } from '../protocol/framing.ts';
import { Writer } from '../protocol/writer.ts';
import { buildBatch } from '../protocol/record-batch.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { RawClient } from './raw-client.ts';

test('the frame decoder copies each byte of a request split into many chunks at most once', () => {
  const size = 60 * 1024 * 1024;
  const decoder = new FrameDecoder(100 * 1024 * 1024);
  const frame = Buffer.alloc(4 + size, 7);
  frame.writeInt32BE(size, 0);
  const small = Buffer.from([0, 0, 0, 2, 9, 9]);
  const stream = Buffer.concat([frame, small]);
  const frames: Buffer[] = [];
  for (let pos = 0; pos < stream.length; pos += 64 * 1024) frames.push(...decoder.push(stream.subarray(pos, pos + 64 * 1024)));
  assert.deepEqual(
    frames.map((f) => f.length),
    [size, 2],
  );
  assert.equal(frames[0]?.every((b) => b === 7), true);
  assert.deepEqual([...(frames[1] ?? [])], [9, 9]);
  assert.ok(decoder.copiedBytes <= size + 8, `copied ${decoder.copiedBytes} bytes for a ${size}-byte request`);
  assert.equal(decoder.pendingBytes, 0);
});

test('the frame decoder refuses a size above socket.request.max.bytes', () => {
  const decoder = new FrameDecoder(1000);
  assert.throws(() => decoder.push(Buffer.from([0, 0, 0x10, 0])), FrameTooLargeError);
});

let broker: KafkaBroker;
before(async () => {
  broker = await startKafka({ topics: { big: 1 }, maxMessageBytes: 64 * 1024 * 1024 });
});
after(async () => {
  await broker.stop();
  assert.deepEqual(broker.errors, []);
});

test('while a 60 MB produce arrives in pieces, another client keeps getting answers, then the produce is answered', async () => {
  const value = Buffer.alloc(60 * 1024 * 1024, 'v');
  const batch = buildBatch([{ key: null, value, timestamp: 1000 }]);
  const body = new Writer()
    .string(null)
    .int16(1)
    .int32(30000)
    .array(['big'], (w, t) => {
      w.string(t).array([0], (pw, p) => {
        pw.int32(p).bytes(batch);
      });
    })
    .build();
  const payload = new Writer().int16(ApiKey.Produce).int16(7).int32(42).string('big-client').raw(body).build();
  const request = Buffer.concat([new Writer().int32(payload.length).build(), payload]);

  const big = net.connect(broker.port, '127.0.0.1');
  await once(big, 'connect');
  const answer = new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    big.on('data', (c: Buffer) => {
      parts.push(c);
      const all = Buffer.concat(parts);
      if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) resolve(all.subarray(4));
    });
  });
  const small = await RawClient.connect(broker.port);
  const piece = 4 * 1024 * 1024;
  let roundTrips = 0;
  for (let pos = 0; pos < request.length; pos += piece) {
    if (!big.write(request.subarray(pos, pos + piece))) await once(big, 'drain');
    // The broker holds a partial request for the big client; the small one is served meanwhile.
    if (pos + piece < request.length) {
      const r = await small.request(ApiKey.ApiVersions, 0, new Writer());
      assert.equal(r.int16(), ErrorCode.NONE);
      roundTrips++;
    }
  }
  assert.equal(roundTrips, Math.ceil(request.length / piece) - 1);
  const res = await answer;
  assert.equal(res.readInt32BE(0), 42);
  // correlation id, topic count, "big", partition count, partition 0, then its error code
  assert.equal(res.readInt16BE(4 + 4 + 2 + 3 + 4 + 4), ErrorCode.NONE);
  const log = broker.state.topics.partition('big', 0);
  assert.deepEqual([log?.nextOffset, log?.batches[0]?.data.length], [1, batch.length]);
  big.destroy();
  small.close();
});
