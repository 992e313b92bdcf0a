import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkStrategy } from '../../api/watermarks.ts';
import { VirtualClock } from '../task/clock.ts';
import { ProcessingTimeService } from '../task/processing-time-service.ts';
import type { Output } from './output.ts';
import { SourceOutputs } from './source-outputs.ts';

function recorder() {
  const log: string[] = [];
  const output: Output = {
    collect: (v, ts) => log.push(`${String(v)}@${ts}`),
    emitBatch: () => {},
    collectSide: () => {},
    emitWatermark: (t) => log.push(`wm ${t}`),
    emitWatermarkStatus: (idle) => log.push(idle ? 'idle' : 'active'),
    flush: () => {},
    endInput: () => {},
  };
  return { log, output };
}

/** Emits a watermark of the event's timestamp with every event (punctuated). */
const punctuated = WatermarkStrategy.forGenerator<number>(() => ({ onEvent: (_e, ts, out) => out.emitWatermark(ts), onPeriodicEmit: () => {} }));

test('split outputs: the lowest split holds the watermark back; a released split no longer does', () => {
  const { log, output } = recorder();
  const o = new SourceOutputs(output, punctuated as WatermarkStrategy<unknown>, new ProcessingTimeService(new VirtualClock(0)));
  const a = o.createOutputForSplit('a');
  const b = o.createOutputForSplit('b');
  a.collectWithTimestamp(1, 100);
  b.collectWithTimestamp(2, 40);
  a.collectWithTimestamp(3, 200);
  b.collectWithTimestamp(4, 60);
  o.releaseOutputForSplit('b');
  assert.deepEqual(log, ['1@100', '2@40', 'wm 40', '3@200', '4@60', 'wm 60', 'wm 200']);
  assert.equal(o.recordsOut, 4);
});

test('an idle split does not hold the watermark back; all idle makes the subtask idle; an event makes it active', () => {
  const clock = new VirtualClock(0);
  const pts = new ProcessingTimeService(clock);
  const { log, output } = recorder();
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<number>(0).withIdleness(100);
  const o = new SourceOutputs(output, strategy as WatermarkStrategy<unknown>, pts);
  const a = o.createOutputForSplit('a');
  const b = o.createOutputForSplit('b');
  a.collectWithTimestamp(1, 500);
  b.collectWithTimestamp(2, 300);
  o.periodicEmit(); // a 499, b 299
  clock.advanceTo(50);
  a.collectWithTimestamp(3, 900);
  clock.advanceTo(120); // b silent for 120 ms: idle
  o.periodicEmit();
  clock.advanceTo(250); // a silent too
  o.periodicEmit();
  b.collectWithTimestamp(4, 1000);
  o.periodicEmit();
  assert.deepEqual(log, ['1@500', '2@300', 'wm 299', '3@900', 'wm 899', 'idle', '4@1000', 'active', 'wm 999']);
});

test('without a strategy records keep the reader timestamps and no watermark is made; the end is the end of event time', () => {
  const { log, output } = recorder();
  const o = new SourceOutputs(output, undefined, new ProcessingTimeService(new VirtualClock(0)));
  o.collect(1);
  o.createOutputForSplit('x').collectWithTimestamp(2, 7);
  o.periodicEmit();
  o.end();
  assert.deepEqual(log, ['1@NaN', '2@7', 'wm Infinity']);
});

test('a timestamp assigner that returns no finite number fails with INVALID_TIMESTAMP', () => {
  const { output } = recorder();
  const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner(() => NaN);
  const o = new SourceOutputs(output, strategy as WatermarkStrategy<unknown>, new ProcessingTimeService(new VirtualClock(0)));
  assert.throws(() => o.collect(1), { code: 'INVALID_TIMESTAMP' });
});
