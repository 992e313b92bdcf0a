/**
 * The slicing window operator restored at another parallelism from subtasks whose
 * watermarks differed at the checkpoint (they do: watermarks and barriers travel apart).
 * "Fired up to" belongs to key groups: each key's windows fire once, whichever old subtask
 * held it and however far ahead that one was. Driven operator by operator, routed by key
 * group, so the subtasks' watermarks are exactly what the test says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlidingEventTimeWindows } from '../../../api/windows/assigners.ts';
import type { WindowAssigner } from '../../../api/windows/assigners.ts';
import { EventTimeTrigger } from '../../../api/windows/triggers.ts';
import type { Window } from '../../../api/windows/window.ts';
import type { AggregateFunction } from '../../../api/functions.ts';
import type { WindowSpec } from '../../../api/transformation.ts';
import { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
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
  backend: HeapKeyedStateBackend;
}

async function subtask(index: number, parallelism: number, lateness: number, out: string[], restoredFrom?: { keyed: KeyedStateSnapshot[]; union: unknown[] }): Promise<Subtask> {
  const clock = new VirtualClock(0);
  const backend = new HeapKeyedStateBackend({ clock, maxParallelism: MAX_PARALLELISM, keyGroupRange: KeyGroupRange.forSubtask(MAX_PARALLELISM, parallelism, index) });
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
    trackAsync: () => {},
    addToResult: () => {},
  };
  const op = new SlicingWindowOperator(spec);
  op.init(setup, output);
  await op.handleInitializeState(restoredFrom ? { restored: true, list: [], union: restoredFrom.union } : { restored: false, list: [], union: [] });
  await op.open();
  return { op, backend };
}

/** Records of every key at times 0, 40, ..., in time order. */
function records(from: number, to: number): Rec[] {
  const out: Rec[] = [];
  for (let t = from; t < to; t += 40) for (const k of KEYS) out.push({ k, t: t + k.charCodeAt(0) - 97 });
  return out;
}

function send(subtasks: Subtask[], recs: Rec[]): void {
  for (const r of recs) {
    const s = subtaskForKeyGroup(keyGroupFor(r.k, MAX_PARALLELISM), subtasks.length, MAX_PARALLELISM);
    subtasks[s]!.op.processBatch(new RecordBatch([r], [r.t]));
  }
}

const SPLIT = 2000;

async function uninterrupted(lateness: number): Promise<string[]> {
  const out: string[] = [];
  const subs = [await subtask(0, 2, lateness, out), await subtask(1, 2, lateness, out)];
  send(subs, records(0, 4000));
  for (const s of subs) s.op.processWatermark(Infinity, 0);
  return out.sort();
}

/**
 * Parallelism 2 up to SPLIT; at the checkpoint subtask 0's watermark is 1999 and subtask 1's
 * is 1249 (it has fired three windows fewer); then restored at `to` for the rest.
 */
async function restoredAt(to: number, lateness: number): Promise<string[]> {
  const out: string[] = [];
  const before = [await subtask(0, 2, lateness, out), await subtask(1, 2, lateness, out)];
  send(before, records(0, SPLIT));
  before[0]!.op.processWatermark(SPLIT - 1, 0);
  before[1]!.op.processWatermark(1249, 0);
  const keyed = before.map((s) => s.backend.snapshot());
  const union = before.flatMap((s) => s.op.snapshotState().union ?? []);
  const after: Subtask[] = [];
  for (let i = 0; i < to; i++) after.push(await subtask(i, to, lateness, out, { keyed, union }));
  send(after, records(SPLIT, 4000));
  for (const s of after) s.op.processWatermark(Infinity, 0);
  return out.sort();
}

for (const lateness of [0, 500]) {
  for (const to of [3, 1, 2]) {
    test(`lateness ${lateness}: subtasks at watermarks 1999 and 1249, restored at parallelism ${to}: every window fires exactly once`, async () => {
      const expected = await uninterrupted(lateness);
      assert.ok(expected.length > 100);
      assert.deepEqual(await restoredAt(to, lateness), expected);
    });
  }
}

test('a snapshot restored at another parallelism keeps each key group its own mark, merged into ranges', async () => {
  const out: string[] = [];
  const before = [await subtask(0, 2, 0, out), await subtask(1, 2, 0, out)];
  before[0]!.op.processWatermark(1999, 0);
  before[1]!.op.processWatermark(1249, 0);
  const union = before.flatMap((s) => s.op.snapshotState().union ?? []);
  assert.deepEqual(union, [
    [0, 63, 1999],
    [64, 127, 1249],
  ]);
  const keyed = before.map((s) => s.backend.snapshot());
  const middle = await subtask(1, 3, 0, out, { keyed, union });
  assert.deepEqual(middle.op.snapshotState().union, [
    [43, 63, 1999],
    [64, 85, 1249],
  ]);
  middle.op.processWatermark(1500, 0);
  assert.deepEqual(middle.op.snapshotState().union, [
    [43, 63, 1999],
    [64, 85, 1500],
  ]);
  middle.op.processWatermark(2000, 0);
  assert.deepEqual(middle.op.snapshotState().union, [[43, 85, 2000]]);
});

test('a snapshot of the former format (one watermark per subtask) restores with the lowest of them for every key group', async () => {
  const out: string[] = [];
  const restored = await subtask(0, 1, 0, out, { keyed: [], union: [1999, 1249] });
  assert.deepEqual(restored.op.snapshotState().union, [[0, 127, 1249]]);
});
