/** Rolling reduce/sum/min/max/minBy/maxBy on keyed streams, with Flink's semantics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob } from '../../src/api/index.ts';
import type { KeyedStream, SingleOutputStreamOperator } from '../../src/api/index.ts';
import { runJob, VirtualClock } from '../../src/runtime/index.ts';
import { backendConfig } from '../support/state-backend.ts';

interface R {
  k: string;
  a: number;
  b: number;
  n: string;
}

const rec = (k: string, a: number, b: number, n: string): R => ({ k, a, b, n });

// Key x gets r1, r3, r4, r5; key y gets r2. r3 and r4 tie on a (= 1).
const INPUT: R[] = [rec('x', 3, 1, 'r1'), rec('y', 5, 5, 'r2'), rec('x', 1, 7, 'r3'), rec('x', 1, 2, 'r4'), rec('x', 4, 0, 'r5')];

async function rolling(agg: (s: KeyedStream<R, string>) => SingleOutputStreamOperator<R>): Promise<R[]> {
  const job = defineJob((env) => {
    agg(env.fromCollection(INPUT).keyBy((r) => r.k)).collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  return r.collected.get('out') as R[];
}

test('sum keeps the other fields of the first record of the key', async () => {
  // x: 3 -> 3+1=4 -> 4+1=5 -> 5+4=9, always with b=1, n=r1; y: 5.
  assert.deepEqual(await rolling((s) => s.sum('a')), [rec('x', 3, 1, 'r1'), rec('y', 5, 5, 'r2'), rec('x', 4, 1, 'r1'), rec('x', 5, 1, 'r1'), rec('x', 9, 1, 'r1')]);
});

test('min and max change only the field, keeping the first record otherwise', async () => {
  // min x: 3 -> 1 (from r3, but b and n stay r1's) -> 1 -> 1
  assert.deepEqual(await rolling((s) => s.min('a')), [rec('x', 3, 1, 'r1'), rec('y', 5, 5, 'r2'), rec('x', 1, 1, 'r1'), rec('x', 1, 1, 'r1'), rec('x', 1, 1, 'r1')]);
  // max x: 3 -> 3 -> 3 -> 4 (from r5, b and n stay r1's)
  assert.deepEqual(await rolling((s) => s.max('a')), [rec('x', 3, 1, 'r1'), rec('y', 5, 5, 'r2'), rec('x', 3, 1, 'r1'), rec('x', 3, 1, 'r1'), rec('x', 4, 1, 'r1')]);
});

test('minBy and maxBy keep the whole extreme record, the first one on ties', async () => {
  const [r1, r2, r3, r4, r5] = INPUT as [R, R, R, R, R];
  // minBy x: r1 -> r3 (1 < 3) -> r3 (tie with r4: first wins) -> r3
  assert.deepEqual(await rolling((s) => s.minBy('a')), [r1, r2, r3, r3, r3]);
  // minBy(first = false): on the tie the later record wins -> r4, and stays (4 > 1)
  assert.deepEqual(await rolling((s) => s.minBy('a', false)), [r1, r2, r3, r4, r4]);
  // maxBy x: r1 -> r1 -> r1 -> r5 (4 > 3)
  assert.deepEqual(await rolling((s) => s.maxBy('a')), [r1, r2, r1, r1, r5]);
  // maxBy on b: r1 (1) -> r3 (7) -> r3 -> r3
  assert.deepEqual(await rolling((s) => s.maxBy('b')), [r1, r2, r3, r3, r3]);
});

test('reduce emits the running result per key', async () => {
  const out = await rolling((s) => s.reduce((p, c) => ({ k: p.k, a: p.a + c.a, b: Math.max(p.b, c.b), n: `${p.n}+${c.n}` })));
  // x: r1 -> (4, 7, r1+r3) -> (5, 7, r1+r3+r4) -> (9, 7, r1+r3+r4+r5); y: r2
  assert.deepEqual(out, [rec('x', 3, 1, 'r1'), rec('y', 5, 5, 'r2'), rec('x', 4, 7, 'r1+r3'), rec('x', 5, 7, 'r1+r3+r4'), rec('x', 9, 7, 'r1+r3+r4+r5')]);
});

test('aggregations on plain numbers and on array (tuple) fields', async () => {
  const job = defineJob((env) => {
    env
      .fromElements(1, 2, 3, 4, 5)
      .keyBy((v) => v % 2)
      .sum()
      .collect('numbers');
    env
      .fromElements<[string, number]>(['p', 2], ['q', 9], ['p', 3], ['p', 1])
      .keyBy((t) => t[0])
      .min(1)
      .collect('tuples');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // odd: 1, 1+3=4, 4+5=9; even: 2, 2+4=6 -- in input order 1 2 3 4 5
  assert.deepEqual(r.collected.get('numbers'), [1, 2, 4, 6, 9]);
  // p: 2 -> min(2,3)=2 -> min(2,1)=1; q: 9
  assert.deepEqual(r.collected.get('tuples'), [
    ['p', 2],
    ['q', 9],
    ['p', 2],
    ['p', 1],
  ]);
});

test('an aggregation over a field that is not a number fails the job and names the operator', async () => {
  const job = defineJob((env) => {
    env
      .fromElements({ k: 'a', v: 'x' }, { k: 'a', v: 'y' })
      .keyBy((r) => r.k)
      .sum('v')
      .name('sum-of-strings')
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FAILED');
  // The first record is emitted as is; the second one makes the reducer read a string.
  assert.match(r.error!.message, /"sum-of-strings"/);
  assert.match(r.error!.message, /not a number/);
});
