/**
 * The slicing window operator on its own, driven batch by batch: which state it keeps
 * (one namespace per slice, one accumulator per key, nothing per window), when that state
 * goes, and in which order many keys that share a window end fire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessWindowFunction } from '../../../api/windows/window-functions.ts';
import type { ProcessWindowContext } from '../../../api/windows/window-functions.ts';
import { SlidingEventTimeWindows } from '../../../api/windows/assigners.ts';
import type { WindowAssigner } from '../../../api/windows/assigners.ts';
import { EventTimeTrigger } from '../../../api/windows/triggers.ts';
import type { TimeWindow, Window } from '../../../api/windows/window.ts';
import type { AggregateFunction, Collector } from '../../../api/functions.ts';
import type { WindowSpec } from '../../../api/transformation.ts';
import { HeapKeyedStateBackend } from '../../state/heap/heap-keyed-state-backend.ts';
import { KeyGroupRange } from '../../state/key-group.ts';
import { AggregatingStateDescriptor } from '../../../api/state.ts';
import { VirtualClock } from '../../task/clock.ts';
import { ProcessingTimeService } from '../../task/processing-time-service.ts';
import { RecordBatch } from '../../stream-element.ts';
import type { Output } from '../output.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { SlicingWindowOperator } from './slicing-window-operator.ts';

interface Rec {
  k: string;
  t: number;
}

const count: AggregateFunction<Rec, number, number> = {
  createAccumulator: () => 0,
  add: (_r, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

/** Emits key@windowEnd=count, and logs clear() calls. */
class Describe extends ProcessWindowFunction<number, string, string, TimeWindow> {
  constructor(private readonly log: string[]) {
    super();
  }
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, counts: number[], out: Collector<string>): void {
    out.collect(`${key}@${ctx.window().end}=${counts[0]}`);
  }
  override clear(ctx: ProcessWindowContext<TimeWindow>): void {
    this.log.push(`clear ${ctx.window().end}`);
  }
}

async function harness(lateness: number) {
  const clock = new VirtualClock(0);
  const backend = new HeapKeyedStateBackend({ clock, maxParallelism: 128, keyGroupRange: new KeyGroupRange(0, 127) });
  const log: string[] = [];
  const spec: WindowSpec = {
    kind: 'window',
    assigner: SlidingEventTimeWindows.of(1000, 250) as unknown as WindowAssigner<unknown, Window>,
    trigger: EventTimeTrigger.create(),
    evictor: undefined,
    allowedLatenessMs: lateness,
    lateDataTag: undefined,
    fn: { kind: 'aggregate', aggregate: count as AggregateFunction<unknown, unknown, unknown>, process: { keyed: true, fn: new Describe(log) as ProcessWindowFunction<unknown, unknown, unknown, Window> } },
  };
  const output: Output = {
    collect: (v) => log.push(String(v)),
    emitBatch: () => {},
    collectSide: () => {},
    emitWatermark: (t) => log.push(`wm ${t}`),
    emitWatermarkStatus: () => {},
    flush: () => {},
    endInput: () => {},
  };
  const setup: OperatorSetup = {
    operatorId: 'w',
    name: 'window',
    uid: undefined,
    subtaskIndex: 0,
    parallelism: 1,
    maxParallelism: 128,
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
  await op.open();
  const slices = backend.getAggregatingState(new AggregatingStateDescriptor('window-slices', count));
  return {
    log,
    backend,
    send: (...recs: Rec[]) => op.processBatch(new RecordBatch(recs, recs.map((r) => r.t))),
    watermark: (t: number) => op.processWatermark(t, 0),
    /** The slice state as namespace -> key -> accumulator. */
    layout: () =>
      Object.fromEntries(
        slices.namespaces().map((ns) => {
          slices.setCurrentNamespace(ns);
          return [
            ns,
            Object.fromEntries(
              slices.keysIn(ns).map((k) => {
                backend.setCurrentKeyRef(k);
                return [String(k.key), slices.getAccumulator()];
              }),
            ),
          ];
        }),
      ),
  };
}

test('slicing keeps one accumulator per (slice, key) in keyed state and drops a slice once its last window is done', async () => {
  const h = await harness(0);
  h.send({ k: 'a', t: 10 }, { k: 'b', t: 20 }, { k: 'a', t: 260 }, { k: 'a', t: 30 });
  assert.deepEqual(h.layout(), { '0:250': { a: 2, b: 1 }, '250:500': { a: 1 } });
  // [-750, 250) fires; slice [0, 250) is still needed by the windows up to [0, 1000).
  h.watermark(249);
  assert.deepEqual(h.log, ['a@250=2', 'clear 250', 'b@250=1', 'clear 250', 'wm 249']);
  assert.deepEqual(h.layout(), { '0:250': { a: 2, b: 1 }, '250:500': { a: 1 } });
  h.log.length = 0;
  h.watermark(999); // [0, 1000) is the last window holding slice [0, 250)
  assert.deepEqual(h.layout(), { '250:500': { a: 1 } });
  h.watermark(Infinity);
  assert.equal(h.backend.entryCount(), 0);
});

test('keys sharing a window end fire in the order of their first record in the window, whichever slice it went to', async () => {
  const h = await harness(0);
  // c's first record in [0, 1000) is in its last slice but arrives first; b reaches slice
  // [0, 250) only after it was in [250, 500).
  h.send({ k: 'c', t: 900 }, { k: 'a', t: 100 }, { k: 'b', t: 300 }, { k: 'b', t: 50 }, { k: 'd', t: 120 });
  h.watermark(999);
  const window1000 = h.log.filter((l) => l.includes('@1000'));
  assert.deepEqual(window1000, ['c@1000=1', 'a@1000=1', 'b@1000=2', 'd@1000=1']);
  // Earlier windows fired first, and each only for the keys it holds.
  assert.deepEqual(h.log.slice(0, 3), ['a@250=1', 'clear 250', 'b@250=1']);
});

test('with allowed lateness a late record fires its key alone, and cleanup comes per window at end + lateness', async () => {
  const h = await harness(500);
  h.send({ k: 'a', t: 10 }, { k: 'b', t: 20 });
  h.watermark(249);
  assert.deepEqual(h.log, ['a@250=1', 'b@250=1', 'wm 249']);
  h.log.length = 0;
  h.send({ k: 'b', t: 5 }); // late for [-750, 250) but within lateness: fires b's window again
  assert.deepEqual(h.log, ['b@250=2']);
  h.log.length = 0;
  h.watermark(748); // cleanup of [-750, 250) is at 249 + 500
  assert.deepEqual(h.log.filter((l) => l.startsWith('clear')), []);
  h.watermark(749);
  assert.deepEqual(h.log.filter((l) => l.startsWith('clear')), ['clear 250', 'clear 250']);
  h.send({ k: 'a', t: 1 }); // still in slice [0, 250), whose windows up to [0, 1000) are open
  assert.deepEqual(h.layout(), { '0:250': { a: 2, b: 2 } });
  h.watermark(Infinity);
  assert.equal(h.backend.entryCount(), 0);
});
