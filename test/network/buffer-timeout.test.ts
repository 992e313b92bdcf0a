/** The buffer timeout: coalescing small batches on the sender, and the flush it guarantees. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { END_OF_PARTITION, RecordBatch, watermark } from '../../src/runtime/stream-element.ts';
import { bufferTimeoutFromConfig } from '../../src/runtime/network/tcp/remote-output-channel.ts';
import { ManualScheduler, endpointPair, pollAll, settle, waitFor } from './helpers.ts';

const batch = (i: number) => new RecordBatch([{ i }], [i]);

test('timeout 100ms: small batches wait in one buffer until the timer fires, then leave without more data', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('c', 4);
  const scheduler = new ManualScheduler();
  const out = producer.openOutput(connection, 'c', { bufferTimeoutMs: 100, scheduler });
  await waitFor(() => out.credit === 4, 'credit');
  out.push(batch(1));
  out.push(watermark(1));
  out.push(batch(2));
  assert.deepEqual(scheduler.pending, [100], 'one timer for the buffer, armed by its first element');
  assert.equal(out.buffersSent, 0);
  await settle();
  assert.equal(input.size, 0, 'nothing sent before the timeout');

  scheduler.fireAll();
  assert.equal(out.buffersSent, 1);
  await waitFor(() => input.size === 3, 'the coalesced buffer');
  assert.equal(input.buffersReceived, 1, 'three elements in one network buffer');
  assert.deepEqual(pollAll(input), [batch(1), watermark(1), batch(2)]);

  // The next element arms a new timer; flush() sends at once and disarms it.
  out.push(batch(3));
  assert.deepEqual(scheduler.pending, [100]);
  out.flush();
  assert.deepEqual(scheduler.pending, []);
  await waitFor(() => input.size === 1, 'the flushed buffer');
  assert.deepEqual(input.poll(), batch(3));
});

test('timeout 0: every element leaves at once in its own buffer, no timer', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('c', 8);
  const scheduler = new ManualScheduler();
  const out = producer.openOutput(connection, 'c', { bufferTimeoutMs: 0, scheduler });
  await waitFor(() => out.credit === 8, 'credit');
  out.push(batch(1));
  out.push(batch(2));
  out.push(watermark(2));
  assert.deepEqual(scheduler.pending, []);
  assert.equal(out.buffersSent, 3);
  await waitFor(() => input.size === 3, 'three elements');
  assert.equal(input.buffersReceived, 3);
  assert.deepEqual(pollAll(input), [batch(1), batch(2), watermark(2)]);
});

test('a full buffer and the end of partition are sent without waiting for the timeout', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('c', 8);
  const scheduler = new ManualScheduler();
  const out = producer.openOutput(connection, 'c', { bufferTimeoutMs: 100, bufferSize: 1000, scheduler });
  await waitFor(() => out.credit === 8, 'credit');
  out.push(new RecordBatch(['x'.repeat(2000)], [NaN]));
  assert.equal(out.buffersSent, 1, 'a buffer past bufferSize leaves at once');
  out.push(batch(1));
  out.push(END_OF_PARTITION);
  assert.equal(out.buffersSent, 2);
  assert.deepEqual(scheduler.pending, []);
  assert.throws(() => out.push(batch(2)), /already sent its end of partition/);
  await waitFor(() => input.size === 3, 'all three elements');
  assert.equal(pollAll(input).length, 3);
  assert.ok(input.ended);
});

test('with real timers, a lone batch arrives after about the buffer timeout without more data', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('c', 4);
  const out = producer.openOutput(connection, 'c', { bufferTimeoutMs: 100 });
  await waitFor(() => out.credit === 4, 'credit');
  const start = performance.now();
  out.push(batch(1));
  assert.equal(out.buffersSent, 0);
  await waitFor(() => input.size === 1, 'the timed flush', 5000);
  const waited = performance.now() - start;
  // Generous bounds: timers may fire late on a loaded machine, never (much) early.
  assert.ok(waited >= 90 && waited < 5000, `arrived after ${waited.toFixed(1)}ms`);

  const zero = producer.openOutput(connection, 'z', { bufferTimeoutMs: 0 });
  const zin = consumer.registerInput('z', 4);
  await waitFor(() => zero.credit === 4, 'credit');
  const start0 = performance.now();
  zero.push(batch(2));
  await waitFor(() => zin.size === 1, 'the immediate send', 5000);
  const waited0 = performance.now() - start0;
  assert.ok(waited0 < waited, `timeout 0 (${waited0.toFixed(1)}ms) beats timeout 100 (${waited.toFixed(1)}ms)`);
});

test('execution.buffer-timeout accepts Flink durations; unset is 100ms; bad values are refused', async (t) => {
  assert.equal(bufferTimeoutFromConfig(undefined), 100);
  assert.equal(bufferTimeoutFromConfig('0'), 0);
  assert.equal(bufferTimeoutFromConfig('5 ms'), 5);
  assert.equal(bufferTimeoutFromConfig('1s'), 1000);
  assert.throws(() => bufferTimeoutFromConfig('soon'), /execution.buffer-timeout/);
  const { producer, connection } = await endpointPair(t);
  assert.throws(() => producer.openOutput(connection, 'bad', { bufferTimeoutMs: -1 }), /must be non-negative/);
});
