import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.ts';
import { ItemExponentialRateLimiter } from './rate-limiter.ts';
import { isTerminal, runWorkers } from './run-workers.ts';
import { WeirError } from '../../errors/index.ts';
import { WorkQueue } from './work-queue.ts';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('runWorkers', () => {
  it('never runs one key on two workers, and reruns it once for adds made meanwhile', async () => {
    const q = new WorkQueue<string>({ clock: new ManualClock() });
    const active = new Set<string>();
    const runs: string[] = [];
    let overlap = false;
    const releases: (() => void)[] = [];
    const done = runWorkers(q, 4, async (key) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      runs.push(key);
      await new Promise<void>((r) => releases.push(r));
      active.delete(key);
    }, (key, err) => assert.fail(`${key}: ${String(err)}`));
    q.add('a');
    q.add('b');
    await tick();
    q.add('a');
    q.add('a');
    await tick();
    assert.deepEqual(runs, ['a', 'b'], 'the second a waits for the first');
    releases.splice(0).forEach((r) => r());
    await tick();
    assert.deepEqual(runs, ['a', 'b', 'a']);
    releases.splice(0).forEach((r) => r());
    q.shutDown();
    await done;
    assert.equal(overlap, false);
  });

  it('retries a failing key with backoff, resets the backoff on success, and honours requeueAfterMs', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 10 }) });
    const log: string[] = [];
    let failuresLeft = 2;
    const errors: string[] = [];
    const done = runWorkers(q, 2, async (key) => {
      log.push(`${key}@${clock.now()}`);
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error(`boom ${failuresLeft}`);
      }
      return { requeueAfterMs: 500 };
    }, (key, err, retried) => errors.push(`${key}: ${(err as Error).message}${retried ? '' : ' (terminal)'}`));
    q.add('k');
    await tick();
    clock.advance(10);
    await tick();
    clock.advance(20);
    await tick();
    assert.deepEqual(log, ['k@0', 'k@10', 'k@30']);
    assert.deepEqual(errors, ['k: boom 1', 'k: boom 0']);
    assert.equal(q.numRequeues('k'), 0, 'success forgets the failures');
    clock.advance(499);
    await tick();
    assert.equal(log.length, 3);
    clock.advance(1);
    await tick();
    assert.deepEqual(log.slice(3), ['k@530']);
    q.shutDown();
    await done;
  });

  it('does not retry a terminal error: it is reported once, and only the next add of the key runs it again', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 10 }) });
    const log: string[] = [];
    const reported: string[] = [];
    const failures: unknown[] = [
      new WeirError('KUBE_API_ERROR', 'POST /api/v1/namespaces/jobs/configmaps: HTTP 422 Invalid: data: Invalid value', false),
      new WeirError('KUBE_UNREACHABLE', 'cannot reach the Kubernetes API server', true),
    ];
    const done = runWorkers(q, 2, async (key) => {
      log.push(`${key}@${clock.now()}`);
      const failure = failures.shift();
      if (failure) throw failure;
    }, (key, err, retried) => reported.push(`${key} ${(err as WeirError).code} ${retried ? 'retried' : 'terminal'}`));
    q.add('k');
    await tick();
    assert.deepEqual(reported, ['k KUBE_API_ERROR terminal']);
    assert.equal(q.numRequeues('k'), 0, 'no backoff started');
    clock.advance(1_000_000);
    await tick();
    assert.deepEqual(log, ['k@0'], 'not retried, however long we wait');
    // A watch event adds the key: it runs again, and a retriable failure backs off as before.
    q.add('k');
    await tick();
    assert.deepEqual(reported, ['k KUBE_API_ERROR terminal', 'k KUBE_UNREACHABLE retried']);
    clock.advance(9);
    await tick();
    assert.equal(log.length, 2);
    clock.advance(1);
    await tick();
    assert.deepEqual(log, ['k@0', 'k@1000000', 'k@1000010']);
    q.shutDown();
    await done;
  });

  it('terminal means a WeirError that says retrying cannot help; anything else is retried', () => {
    assert.equal(isTerminal(new WeirError('KUBE_API_ERROR', 'HTTP 403 Forbidden', false)), true);
    assert.equal(isTerminal(new WeirError('KUBE_CONFLICT', 'HTTP 409 Conflict', true)), false);
    assert.equal(isTerminal(new TypeError('x is undefined')), false);
    assert.equal(isTerminal('a string'), false);
  });
});
