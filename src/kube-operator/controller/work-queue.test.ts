import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.ts';
import { ItemExponentialRateLimiter } from './rate-limiter.ts';
import { WorkQueue } from './work-queue.ts';

function queue(clock = new ManualClock()): WorkQueue<string> {
  return new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 80 }) });
}

describe('WorkQueue', () => {
  it('merges duplicate keys and hands them out in order', async () => {
    const q = queue();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
  });

  it('re-queues a key added while it is processed only after done()', async () => {
    const q = queue();
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not handed to a second worker while processing');
    q.done('a');
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('get() waits for a key, and shutDown() wakes waiters with undefined', async () => {
    const q = queue();
    const first = q.get();
    const second = q.get();
    q.add('x');
    assert.equal(await first, 'x');
    q.shutDown();
    assert.equal(await second, undefined);
    q.add('y');
    assert.equal(q.len(), 0, 'adds after shutdown are ignored');
    assert.equal(await q.get(), undefined);
  });

  it('keys queued before shutdown are still handed out, then undefined', async () => {
    const q = queue();
    q.add('a');
    q.shutDown();
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), undefined);
  });

  it('addAfter adds when the time comes, keeping the earliest pending time per key', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    q.addAfter('a', 100);
    q.addAfter('a', 300); // later: ignored
    q.addAfter('b', 200);
    q.addAfter('b', 50); // earlier: replaces
    clock.advance(49);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(await q.get(), 'b');
    clock.advance(50);
    assert.equal(await q.get(), 'a');
    clock.advance(1000);
    assert.equal(q.len(), 0, 'the replaced and ignored adds never fire');
    assert.equal(clock.pendingCount(), 0);
    q.addAfter('c', 0);
    assert.equal(q.len(), 1, 'no delay adds at once');
  });

  it('addRateLimited backs off per key until forget()', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    const readyAfter = async (): Promise<number> => {
      q.addRateLimited('k');
      let waited = 0;
      while (q.len() === 0) {
        clock.advance(1);
        waited++;
      }
      q.done((await q.get())!);
      return waited;
    };
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await readyAfter());
    assert.deepEqual(waits, [10, 20, 40, 80, 80]);
    assert.equal(q.numRequeues('k'), 5);
    q.forget('k');
    assert.equal(await readyAfter(), 10);
  });

  it('shutDown cancels delayed adds; shutDownWithDrain waits for keys in flight', async () => {
    const clock = new ManualClock();
    const q = queue(clock);
    q.addAfter('late', 10);
    q.add('busy');
    assert.equal(await q.get(), 'busy');
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    assert.equal(clock.pendingCount(), 0);
    await new Promise((r) => setImmediate(r));
    assert.equal(drained, false);
    q.done('busy');
    await drain;
    assert.equal(drained, true);
  });
});
