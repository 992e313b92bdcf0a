/**
 * The slicing window operator restored at another parallelism from subtasks whose
 * watermarks differed at the checkpoint (they do: watermarks and barriers travel apart).
 * "Fired up to" belongs to key groups: each key's windows fire once, whichever old subtask
 * held it and however far ahead that one was. Driven operator by operator, routed by key
 * group, so the subtasks' watermarks are exactly what the test says; on the heap and on
 * RocksDB (whose state is read only after a prefetch).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlidingEventTimeWindows } from '../../../api/windows/assigners.ts';
import type { WindowAssigner } from '../../../api/windows/assigners.ts';
import { EventTimeTrigger } from '../../../api/windows/triggers.ts';
import type { Window } from '../../../api/windows/window.ts';
import type { AggregateFunction } from '../../../api/functions.ts';
import type { WindowSpec } from '../../../api/transformation.ts';
import { createKeyedStateBackend } from '../../state/state-backend-factory.ts';
import type { StateBackendType } from '../../state/state-backend-factory.ts';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.ts';
import { KeyGroupRange, keyGroupFor, subtaskForKeyGroup } from '../../state/key-group.ts';
import type { KeyedStateSnapshot } from '../../state/snapshot/keyed-state-snapshot.ts';
import { VirtualClock } from '../../task/clock.ts';
import { ProcessingTimeService } from '../../task/processing-time-service.ts';
import { RecordBatch } from '../../stream-element.ts';
import type { Output } from '../output.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { SlicingWindowOperator } from './slicing-window-operator.ts';

const MAX_PARALLELISM = 128;
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

interface Rec {
  k: string;
  t: number;
}

/** Sums the record times, so a window fired from the wrong slices shows. */
const sum: AggregateFunction<Rec, number, string> = {
  createAccumulator: () => 0,
  add: (r, n) => n + r.t,
  getResult: (n) => String(n),
  merge: (a, b) => a + b,
};

interface Subtask {
  op: SlicingWindowOperator;
  backend: KeyedStateBackend;
}

interface Run {
  type: StateBackendType;
  dir: string;
  out: string[];
  subtasks: Subtask[];
}

async function run(type: StateBackendType): Promise<Run> {
  return { type, dir: await mkdtemp(join(tmpdir(), 'weir-slicing-rescale-')), out: [], subtasks: [] };
}

async function end(r: Run): Promise<void> {
  for (const s of r.subtasks) await s.backend.close();
  await rm(r.dir, { recursive: true, force: true });
}

async function subtask(r: Run, index: number, parallelism: number, lateness: number, restoredFrom?: { keyed: KeyedStateSnapshot[]; union: unknown[] }): Promise<Subtask> {
  const clock = new VirtualClock(0);
  // A cache of two keys: nearly every access is read back from RocksDB.
  const config = new Map([
    ['state.backend.rocksdb.localdir', r.dir],
    ['state.backend.rocksdb.cache.max-keys', '2'],
  ]);
  const keyGroupRange = KeyGroupRange.forSubtask(MAX_PARALLELISM, parallelism, index);
  const backend = createKeyedStateBackend(r.type, { clock, maxParallelism: MAX_PARALLELISM, keyGroupRange, config, label: `window-${parallelism}-${index}` });
  const out = r.out;
  if (restoredFrom) backend.restore(restoredFrom.keyed);
  const spec: WindowSpec = {
    kind: 'window',
    assigner: SlidingEventTimeWindows.of(1000, 250) as unknown as WindowAssigner<unknown, Window>,
    trigger: EventTimeTrigger.create(),
    evictor: undefined,
    allowedLatenessMs: lateness,
    lateDataTag: undefined,
    fn: { kind: 'aggregate', aggregate: sum as AggregateFunction<unknown, unknown, unknown> },
  };
  const output: Output = {
    collect: (v, ts) => out.push(`${ts}:${String(v)}`),
    emitBatch: () => {},
    collectSide: () => {},
    emitWatermark: () => {},
    emitWatermarkStatus: () => {},
    flush: () => {},
    endInput: () => {},
  };
  const setup: OperatorSetup = {
    operatorId: 'w',
    name: 'window',
    uid: undefined,
    subtaskIndex: index,
    parallelism,
    maxParallelism: MAX_PARALLELISM,
    jobParameters: {} as OperatorSetup['jobParameters'],
    config: new Map(),
    clock,
    processingTime: new ProcessingTimeService(clock),
    stateBackend: backend,
    keySelectors: [(r) => (r as Rec).k],
    finalCheckpoint: false,
    trackAsync: () => {},
    addToResult: () => {},
  };
  const op = new SlicingWindowOperator(spec);
  op.init(setup, output);
  await op.handleInitializeState(restoredFrom ? { restored: true, list: [], union: restoredFrom.union } : { restored: false, list: [], union: [] });
  await op.open();
  const s = { op, backend };
  r.subtasks.push(s);
  return s;
}

/** Records of every key at times 0, 40, ..., in time order. */
function records(from: number, to: number): Rec[] {
  const out: Rec[] = [];
  for (let t = from; t < to; t += 40) for (const k of KEYS) out.push({ k, t: t + k.charCodeAt(0) - 97 });
  return out;
}

/** Each record to the subtask of its key group, as a task does: prefetch, then process. */
async function send(subtasks: Subtask[], recs: Rec[]): Promise<void> {
  for (const r of recs) {
    const { op } = subtasks[subtaskForKeyGroup(keyGroupFor(r.k, MAX_PARALLELISM), subtasks.length, MAX_PARALLELISM)]!;
    const batch = new RecordBatch([r], [r.t]);
    await op.prefetch(batch, 0);
    op.processBatch(batch);
  }
}

async function watermark(s: Subtask, t: number): Promise<void> {
  await s.op.prefetchEventTimers(t);
  s.op.processWatermark(t, 0);
}

const SPLIT = 2000;
/** Out of order after the checkpoint: late for windows one old subtask fired, within lateness or past it. */
const LATE: Rec[] = KEYS.flatMap((k) => [
  { k, t: 1600 },
  { k, t: 1100 },
]);

async function uninterrupted(type: StateBackendType, lateness: number): Promise<string[]> {
  const r = await run(type);
  try {
    const subs = [await subtask(r, 0, 2, lateness), await subtask(r, 1, 2, lateness)];
    await send(subs, records(0, SPLIT));
    await watermark(subs[0]!, SPLIT - 1);
    await watermark(subs[1]!, 1249);
    await send(subs, [...LATE, ...records(SPLIT, 4000)]);
    for (const s of subs) await watermark(s, Infinity);
    return r.out.sort();
  } finally {
    await end(r);
  }
}

/**
 * Parallelism 2 up to SPLIT; at the checkpoint subtask 0's watermark is 1999 and subtask 1's
 * is 1249 (it has fired three windows fewer); then restored at `to` for the rest, which
 * begins with records late for some keys' windows and not for others'.
 */
async function restoredAt(type: StateBackendType, to: number, lateness: number): Promise<string[]> {
  const r = await run(type);
  try {
    const before = [await subtask(r, 0, 2, lateness), await subtask(r, 1, 2, lateness)];
    await send(before, records(0, SPLIT));
    await watermark(before[0]!, SPLIT - 1);
    await watermark(before[1]!, 1249);
    const keyed = await Promise.all(before.map((s) => s.backend.captureSnapshot().complete()));
    const union = before.flatMap((s) => s.op.snapshotState().union ?? []);
    const after: Subtask[] = [];
    for (let i = 0; i < to; i++) after.push(await subtask(r, i, to, lateness, { keyed, union }));
    await send(after, [...LATE, ...records(SPLIT, 4000)]);
    for (const s of after) await watermark(s, Infinity);
    return r.out.sort();
  } finally {
    await end(r);
  }
}

for (const type of ['hashmap', 'rocksdb'] as const) {
  for (const lateness of [0, 500]) {
    for (const to of [3, 1, 2]) {
      test(`${type}, lateness ${lateness}: subtasks at watermarks 1999 and 1249, restored at parallelism ${to}: every window fires exactly once`, async () => {
        const expected = await uninterrupted(type, lateness);
        assert.ok(expected.length > 100);
        assert.deepEqual(await restoredAt(type, to, lateness), expected);
      });
    }
  }
}

test('a snapshot restored at another parallelism keeps each key group its own mark, merged into ranges', async (t) => {
  const r = await run('hashmap');
  t.after(() => end(r));
  const before = [await subtask(r, 0, 2, 0), await subtask(r, 1, 2, 0)];
  await watermark(before[0]!, 1999);
  await watermark(before[1]!, 1249);
  const union = before.flatMap((s) => s.op.snapshotState().union ?? []);
  assert.deepEqual(union, [
    [0, 63, 1999],
    [64, 127, 1249],
  ]);
  const keyed = before.map((s) => s.backend.snapshot());
  const middle = await subtask(r, 1, 3, 0, { keyed, union });
  assert.deepEqual(middle.op.snapshotState().union, [
    [43, 63, 1999],
    [64, 85, 1249],
  ]);
  await watermark(middle, 1500);
  assert.deepEqual(middle.op.snapshotState().union, [
    [43, 63, 1999],
    [64, 85, 1500],
  ]);
  await watermark(middle, 2000);
  assert.deepEqual(middle.op.snapshotState().union, [[43, 85, 2000]]);
});

test('a snapshot of the former format (one watermark per subtask) restores with the lowest of them for every key group', async (t) => {
  const r = await run('hashmap');
  t.after(() => end(r));
  const restored = await subtask(r, 0, 1, 0, { keyed: [], union: [1999, 1249] });
  assert.deepEqual(restored.op.snapshotState().union, [[0, 127, 1249]]);
});
