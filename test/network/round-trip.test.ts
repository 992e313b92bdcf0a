/** Batches and events cross a TCP connection in order, on several multiplexed channels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVE, END_OF_PARTITION, IDLE, RecordBatch, watermark } from '../../src/runtime/stream-element.ts';
import type { StreamElement } from '../../src/runtime/stream-element.ts';
import type { RemoteOutputChannel } from '../../src/runtime/network/tcp/remote-output-channel.ts';
import { collectUntilEnd, endpointPair, waitFor } from './helpers.ts';

function script(channel: number, batches: number): StreamElement[] {
  const out: StreamElement[] = [];
  for (let i = 0; i < batches; i++) {
    const values = Array.from({ length: 1 + (i % 7) }, (_, j) => ({ channel, i, j, name: `c${channel}-${i}-${j}`, amount: j * 1.5, tags: j % 2 ? ['x'] : [], at: new Date(1_700_000_000_000 + i) }));
    out.push(new RecordBatch(values, values.map((_, j) => 1_700_000_000_000 + i * 10 + j)));
    if (i % 5 === 4) out.push(watermark(1_700_000_000_000 + i * 10));
    if (i === batches / 2) out.push(IDLE, ACTIVE);
  }
  out.push(END_OF_PARTITION);
  return out;
}

/** Pushes `elements` respecting hasCapacity(), resuming on onCapacity. */
function produce(out: RemoteOutputChannel, elements: StreamElement[]): Promise<void> {
  let i = 0;
  return new Promise((resolve, reject) => {
    const run = (): void => {
      try {
        while (i < elements.length && out.hasCapacity()) out.push(elements[i++]!);
        if (i === elements.length) resolve();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    out.onCapacity = run;
    run();
  });
}

test('several channels over one connection deliver their elements in order, with small capacities', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  assert.equal(await producer.connect(consumer.address), connection, 'one connection per peer endpoint');
  const scripts = [0, 1, 2, 3].map((c) => script(c, 400));
  const inputs = scripts.map((_, c) => consumer.registerInput(c === 3 ? 3 : `edge-${c}`, 2));
  // Mixed settings: timeout 0, a small buffer size that splits batches across buffers, the default timeout.
  const outputs = [
    producer.openOutput(connection, 'edge-0', { bufferTimeoutMs: 0 }),
    producer.openOutput(connection, 'edge-1', { bufferSize: 256, bufferTimeoutMs: 5 }),
    producer.openOutput(connection, 'edge-2', { bufferTimeoutMs: 1 }),
    producer.openOutput(connection, '3', { bufferTimeoutMs: 0, maxBacklog: 1 }),
  ];
  const received = inputs.map((input) => collectUntilEnd(input));
  await Promise.all(outputs.map((o, c) => produce(o, scripts[c]!)));
  const got = await Promise.all(received);
  for (let c = 0; c < scripts.length; c++) assert.deepEqual(got[c], scripts[c], `channel ${c}`);
  for (const o of outputs) assert.ok(o.finished);
  assert.equal(producer.connectionCount, 1);
});

test('an element larger than a buffer and than a socket chunk arrives whole', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('big', 2);
  const out = producer.openOutput(connection, 'big', { bufferTimeoutMs: 0, bufferSize: 1024 });
  const big = new RecordBatch([{ blob: Buffer.alloc(3 * 1024 * 1024, 7), text: 'ü'.repeat(500_000) }, 'small'], [1, 2]);
  out.push(big);
  out.push(END_OF_PARTITION);
  const got = await collectUntilEnd(input);
  assert.deepEqual(got, [big, END_OF_PARTITION]);
});

test('channels work in both directions between two endpoints', async (t) => {
  const { producer: a, consumer: b, connection: ab } = await endpointPair(t);
  const ba = await b.connect(a.address);
  const inB = b.registerInput('a->b', 4);
  const inA = a.registerInput('b->a', 4);
  a.openOutput(ab, 'a->b', { bufferTimeoutMs: 0 }).push(new RecordBatch(['from a'], [NaN]));
  b.openOutput(ba, 'b->a', { bufferTimeoutMs: 0 }).push(new RecordBatch(['from b'], [NaN]));
  await waitFor(() => inA.size === 1 && inB.size === 1, 'one element each way');
  assert.deepEqual((inB.poll() as RecordBatch).values, ['from a']);
  assert.deepEqual((inA.poll() as RecordBatch).values, ['from b']);
});

test('the consumer is notified when elements arrive', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('n', 4);
  let notified = 0;
  input.consumer = { notifyAvailable: () => notified++ };
  const out = producer.openOutput(connection, 'n', { bufferTimeoutMs: 0 });
  out.push(watermark(5));
  await waitFor(() => notified === 1, 'a notification');
  assert.deepEqual(input.poll(), watermark(5));
});
