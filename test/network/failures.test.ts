/** Lost connections, malformed frames and refused channels: stable codes on both sides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { WeirError } from '../../src/errors/index.ts';
import { END_OF_PARTITION, RecordBatch } from '../../src/runtime/stream-element.ts';
import { NetworkEndpoint } from '../../src/runtime/network/tcp/network-endpoint.ts';
import { F_DATA, helloFrame, openFrame } from '../../src/runtime/network/tcp/protocol.ts';
import { endpointPair, pollAll, waitFor } from './helpers.ts';

const batch = (i: number) => new RecordBatch([{ i }], [i]);

function assertWeir(err: unknown, code: string, retriable: boolean): void {
  assert.ok(err instanceof WeirError, `expected a WeirError, got ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.retriable, retriable);
}

async function rawSocket(port: number): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
  s.on('error', () => {}); // the endpoint resets it; the test asserts on the endpoint side
  return s;
}

function dataFrame(handle: number, count: number, elements: Buffer): Buffer {
  const head = Buffer.alloc(14);
  head.writeUInt32LE(10 + elements.length, 0);
  head[4] = F_DATA;
  head.writeUInt32LE(handle, 5);
  head[9] = 0;
  head.writeUInt32LE(count, 10);
  return Buffer.concat([head, elements]);
}

test('the consumer process going away fails the producer with CONNECTION_LOST (retriable) and wakes it', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  const input = consumer.registerInput('c', 1);
  const out = producer.openOutput(connection, 'c', { bufferTimeoutMs: 0, maxBacklog: 1 });
  await waitFor(() => out.credit === 1, 'credit');
  out.push(batch(1));
  out.push(batch(2));
  assert.equal(out.hasCapacity(), false);
  let woken = 0;
  out.onCapacity = () => woken++;
  await waitFor(() => input.size === 1, 'the first buffer');

  await consumer.close();
  await waitFor(() => out.error !== undefined, 'the producer to notice');
  assertWeir(out.error, 'CONNECTION_LOST', true);
  assert.equal(woken, 1);
  assert.equal(out.hasCapacity(), true, 'a failed channel lets the producer run into the error');
  assert.throws(() => out.push(batch(3)), (err: unknown) => (assertWeir(err, 'CONNECTION_LOST', true), true));
  await waitFor(() => !connection.open, 'the connection to close');
  assertWeir(await connection.whenClosed(), 'CONNECTION_LOST', true);
});

test('the producer process going away fails unfinished inputs after what already arrived; finished ones stay intact', async (t) => {
  const errors: string[] = [];
  const { producer, consumer, connection } = await endpointPair(t, { onError: (err) => errors.push(err.code) });
  const unfinished = consumer.registerInput('unfinished', 4);
  const finished = consumer.registerInput('finished', 4);
  const a = producer.openOutput(connection, 'unfinished', { bufferTimeoutMs: 0 });
  const b = producer.openOutput(connection, 'finished', { bufferTimeoutMs: 0 });
  a.push(batch(1));
  b.push(batch(1));
  b.push(END_OF_PARTITION);
  await waitFor(() => unfinished.size === 1 && finished.size === 2, 'the data');
  let notified = 0;
  unfinished.consumer = { notifyAvailable: () => notified++ };

  await producer.close();
  await waitFor(() => unfinished.error !== undefined, 'the consumer to notice');
  assert.equal(notified, 1, 'a waiting task is woken');
  assertWeir(unfinished.error, 'CONNECTION_LOST', true);
  assert.deepEqual(unfinished.poll(), batch(1), 'what arrived before the loss is delivered first');
  assert.equal(unfinished.size, 1, 'then the channel shows one pending item: the error');
  assert.throws(() => unfinished.poll(), (err: unknown) => (assertWeir(err, 'CONNECTION_LOST', true), true));
  assert.equal(finished.error, undefined);
  assert.deepEqual(pollAll(finished), [batch(1), END_OF_PARTITION]);
  assert.deepEqual(errors, ['CONNECTION_LOST']);
  assertWeir(a.error, 'ENDPOINT_CLOSED', true);
  assert.equal(b.error, undefined);
});

test('connecting to a port nobody listens on fails with CONNECTION_FAILED (retriable)', async () => {
  const ep = await NetworkEndpoint.listen();
  const port = ep.address.port;
  const other = await NetworkEndpoint.listen();
  try {
    await ep.close();
    await assert.rejects(other.connect({ host: '127.0.0.1', port }), (err: unknown) => (assertWeir(err, 'CONNECTION_FAILED', true), true));
  } finally {
    await other.close();
  }
});

test('a peer that is not a Weir endpoint, or sends an unknown frame type, fails the connection with CORRUPT_FRAME', async (t) => {
  const errors: WeirError[] = [];
  const ep = await NetworkEndpoint.listen({ onError: (err) => errors.push(err) });
  t.after(() => ep.close());
  const s1 = await rawSocket(ep.address.port);
  s1.write('GET / HTTP/1.1\r\n\r\n');
  await waitFor(() => errors.length === 1, 'the first error');
  assertWeir(errors[0], 'CORRUPT_FRAME', true);
  assert.match(errors[0]!.message, /not a Weir data endpoint|frame length/);

  const s2 = await rawSocket(ep.address.port);
  const unknown = Buffer.from([2, 0, 0, 0, 99, 0]);
  s2.write(Buffer.concat([helloFrame(), unknown]));
  await waitFor(() => errors.length === 2, 'the second error');
  assertWeir(errors[1], 'CORRUPT_FRAME', true);
  assert.match(errors[1]!.message, /unknown frame type 99/);

  const s3 = await rawSocket(ep.address.port);
  const huge = Buffer.alloc(4);
  huge.writeUInt32LE(0xffffffff, 0);
  s3.write(Buffer.concat([helloFrame(), huge]));
  await waitFor(() => errors.length === 3, 'the third error');
  assert.match(errors[2]!.message, /frame length 4294967295/);
  for (const s of [s1, s2, s3]) s.destroy();
  assert.equal(ep.connectionCount, 0);
});

test('a corrupt element inside a data frame fails poll() with CORRUPT_FRAME; a truncated frame fails the connection', async (t) => {
  const errors: WeirError[] = [];
  const ep = await NetworkEndpoint.listen({ onError: (err) => errors.push(err) });
  t.after(() => ep.close());
  const input = ep.registerInput('victim', 4);
  const s = await rawSocket(ep.address.port);
  // One element of unknown kind 42.
  s.write(Buffer.concat([helloFrame(), openFrame(1, 'victim'), dataFrame(1, 1, Buffer.from([42]))]));
  await waitFor(() => input.size === 1, 'the bad buffer');
  assert.throws(() => input.poll(), (err: unknown) => (assertWeir(err, 'CORRUPT_FRAME', true), true));
  assert.equal(input.size, 1, 'the channel stays failed');
  assert.throws(() => input.poll(), (err: unknown) => (assertWeir(err, 'CORRUPT_FRAME', true), true));

  const input2 = ep.registerInput('victim2', 4);
  const s2 = await rawSocket(ep.address.port);
  // A DATA frame whose body is shorter than its header: the connection fails.
  const short = Buffer.from([3, 0, 0, 0, 3, 1, 0]);
  s2.write(Buffer.concat([helloFrame(), openFrame(1, 'victim2'), short]));
  await waitFor(() => errors.length === 1, 'the connection error');
  assertWeir(errors[0], 'CORRUPT_FRAME', true);
  assert.match(errors[0]!.message, /truncated/);
  assertWeir(input2.error, 'CORRUPT_FRAME', true);
  s.destroy();
  s2.destroy();
});

test('a second sender for one channel is refused with DUPLICATE_CHANNEL; a sender over its credit is cut off', async (t) => {
  const { producer, consumer, connection } = await endpointPair(t);
  consumer.registerInput('one', 2);
  const first = producer.openOutput(connection, 'one', { bufferTimeoutMs: 0 });
  const second = producer.openOutput(connection, 'one', { bufferTimeoutMs: 0 });
  await waitFor(() => second.error !== undefined, 'the refusal');
  assertWeir(second.error, 'DUPLICATE_CHANNEL', true);
  assert.equal(first.error, undefined);
  assert.throws(() => consumer.registerInput('one', 2), (err: unknown) => (assertWeir(err, 'DUPLICATE_CHANNEL', true), true));

  const errors: WeirError[] = [];
  const ep = await NetworkEndpoint.listen({ onError: (err) => errors.push(err) });
  t.after(() => ep.close());
  const input = ep.registerInput('greedy', 1);
  const s = await rawSocket(ep.address.port);
  const element = Buffer.from([4]); // end of partition is one byte; any valid element does
  s.write(Buffer.concat([helloFrame(), openFrame(7, 'greedy'), dataFrame(7, 1, element), dataFrame(7, 1, element)]));
  await waitFor(() => errors.length === 1, 'the violation');
  assertWeir(errors[0], 'PROTOCOL_VIOLATION', true);
  assert.equal(input.size, 1);
  s.destroy();
});

test('kill -9 of the peer process: both directions fail with CONNECTION_LOST (retriable)', async (t) => {
  const errors: string[] = [];
  const parent = await NetworkEndpoint.listen({ onError: (err) => errors.push(err.code) });
  t.after(() => parent.close());
  const fromChild = parent.registerInput('from-child', 4);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./child-endpoint.ts', import.meta.url)), String(parent.address.port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const childAddress = JSON.parse(line) as { host: string; port: number };
  const toChild = parent.openOutput(await parent.connect(childAddress), 'to-child', { bufferTimeoutMs: 0 });
  await waitFor(() => fromChild.size === 1 && toChild.credit === 4, 'the child to send and grant credit', 20_000);
  assert.equal((fromChild.poll() as RecordBatch).values.length, 1);

  child.kill('SIGKILL');
  await waitFor(() => fromChild.error !== undefined && toChild.error !== undefined, 'both channels to fail', 20_000);
  assertWeir(fromChild.error, 'CONNECTION_LOST', true);
  assertWeir(toChild.error, 'CONNECTION_LOST', true);
  assert.throws(() => toChild.push(batch(1)), /was lost/);
  await waitFor(() => errors.length === 2, 'both connection errors reported');
  assert.deepEqual(errors, ['CONNECTION_LOST', 'CONNECTION_LOST']);
});
