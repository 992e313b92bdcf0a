/** Credit-based flow control: a consumer that does not poll stops its producer with bounded buffers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { END_OF_PARTITION, RecordBatch } from '../../src/runtime/stream-element.ts';
import type { StreamElement } from '../../src/runtime/stream-element.ts';
import { endpointPair, pollAll, settle, waitFor } from './helpers.ts';

const batch = (i: number) => new RecordBatch([{ i, payload: 'x'.repeat(100) }], [i]);

test('a consumer that does not poll stops the producer after capacity + backlog buffers; polling resumes it', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('slow', 4);
  const out = producer.openOutput(connection, 'slow', { bufferTimeoutMs: 0, maxBacklog: 2 });
  await waitFor(() => out.credit === 4, 'the initial credit');

  let pushed = 0;
  while (out.hasCapacity()) out.push(batch(pushed++));
  // Timeout 0: one buffer per element. 4 sent on credit, 2 held back, then the producer stops.
  assert.equal(pushed, 6);
  assert.equal(out.buffersSent, 4);
  assert.equal(out.backlogBuffers, 2);
  assert.equal(out.credit, 0);
  const queuedBytes = out.backlogBytes;
  assert.ok(queuedBytes > 0 && queuedBytes < 2 * 200, `backlog of ${queuedBytes} bytes is two small buffers`);

  await waitFor(() => input.bufferedBuffers === 4, 'four buffers at the consumer');
  await settle();
  // Nothing more moves while nobody polls.
  assert.equal(input.bufferedBuffers, 4);
  assert.equal(input.size, 4);
  assert.equal(out.buffersSent, 4);
  assert.equal(out.hasCapacity(), false);

  let resumed = 0;
  out.onCapacity = () => resumed++;
  assert.deepEqual(input.poll(), batch(0));
  await waitFor(() => out.hasCapacity(), 'capacity after one poll');
  assert.equal(resumed, 1);
  assert.equal(out.buffersSent, 5, 'the returned credit sent one backlog buffer');
  assert.equal(out.backlogBuffers, 1);
  await waitFor(() => input.bufferedBuffers === 4, 'the consumer full again');

  // Drain everything: the rest arrives in order and the backlog empties.
  const got: StreamElement[] = [batch(0)];
  out.push(END_OF_PARTITION);
  await waitFor(() => {
    got.push(...pollAll(input));
    return input.ended;
  }, 'end of partition');
  assert.deepEqual(got, [...Array.from({ length: 6 }, (_, i) => batch(i)), END_OF_PARTITION]);
  assert.equal(out.backlogBuffers, 0);
  assert.ok(out.finished);
});

test('credit counts buffers, not elements: small elements share a buffer', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('packed', 1);
  const out = producer.openOutput(connection, 'packed', { bufferTimeoutMs: 100_000, bufferSize: 1000, maxBacklog: 1 });
  await waitFor(() => out.credit === 1, 'the initial credit');
  let pushed = 0;
  while (out.hasCapacity()) out.push(batch(pushed++));
  // ~130-byte elements in 1000-byte buffers: several per buffer; one buffer sent, one in the backlog.
  assert.equal(out.buffersSent, 1);
  assert.equal(out.backlogBuffers, 1);
  const perBuffer = pushed / 2;
  assert.ok(Number.isInteger(perBuffer) && perBuffer > 5, `${pushed} elements in two buffers`);
  await waitFor(() => input.size === perBuffer, 'one buffer of elements');
  assert.equal(input.bufferedBuffers, 1);
  // The credit comes back only when the whole buffer has been polled.
  for (let i = 0; i < perBuffer - 1; i++) input.poll();
  await settle();
  assert.equal(out.backlogBuffers, 1);
  input.poll();
  await waitFor(() => out.backlogBuffers === 0 && input.size === perBuffer, 'the next buffer');
});

test('a sender that opens before the consumer registers waits without credit, then flows', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const out = producer.openOutput(connection, 'late', { bufferTimeoutMs: 0, maxBacklog: 2 });
  out.push(batch(1));
  out.push(batch(2));
  assert.equal(out.hasCapacity(), false);
  await settle();
  assert.equal(out.buffersSent, 0);
  const input = consumer.registerInput('late', 8);
  await waitFor(() => input.size === 2, 'both buffers after registration');
  assert.equal(out.credit, 6);
  assert.ok(out.hasCapacity());
  assert.deepEqual(pollAll(input), [batch(1), batch(2)]);
});

test('whenConnected() resolves at the first credit from a late consumer, or when the channel fails', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const out = producer.openOutput(connection, 'gate', { bufferTimeoutMs: 0 });
  let connected = false;
  const waiting = out.whenConnected().then(() => (connected = true));
  await settle();
  assert.equal(connected, false, 'no consumer registered yet');
  consumer.registerInput('gate', 3);
  await waiting;
  assert.equal(out.credit, 3);
  await out.whenConnected(); // at once from now on

  const orphan = producer.openOutput(connection, 'nobody-registers', { bufferTimeoutMs: 0 });
  const failed = orphan.whenConnected();
  await producer.close();
  await failed;
  assert.equal(orphan.error?.code, 'ENDPOINT_CLOSED');
});

test('many elements through capacity 1 keep flowing without loss', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('narrow', 1);
  const out = producer.openOutput(connection, 'narrow', { bufferTimeoutMs: 0, maxBacklog: 1 });
  const n = 2000;
  let pushed = 0;
  let maxBuffered = 0;
  let maxBacklog = 0;
  const received: number[] = [];
  let endPushed = false;
  await waitFor(() => {
    while (pushed < n && out.hasCapacity()) out.push(batch(pushed++));
    if (pushed === n && !endPushed && out.hasCapacity()) {
      out.push(END_OF_PARTITION);
      endPushed = true;
    }
    maxBacklog = Math.max(maxBacklog, out.backlogBuffers);
    maxBuffered = Math.max(maxBuffered, input.bufferedBuffers);
    for (const e of pollAll(input)) if (e.kind === 'batch') received.push((e.values[0] as { i: number }).i);
    return input.ended;
  }, 'all elements', 20_000);
  assert.deepEqual(received, Array.from({ length: n }, (_, i) => i));
  assert.equal(maxBuffered, 1);
  assert.equal(maxBacklog, 1);
});
