/** Invalid window settings fail when the job is planned, naming the operator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineJob,
  EventTimeSessionWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  Trigger,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
} from '../../../src/api/index.ts';
import type { StreamExecutionEnvironment, TimeWindow, TriggerResult, Window, WindowAssigner } from '../../../src/api/index.ts';
import { runJob, VirtualClock, WeirError } from '../../../src/runtime/index.ts';

function jobWith(assigner: WindowAssigner<number, TimeWindow>, name?: string) {
  return defineJob((env: StreamExecutionEnvironment) => {
    const w = env
      .fromElements(1, 2, 3)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v))
      .keyBy((v) => v % 2)
      .window(assigner)
      .reduce((a, b) => a + b);
    if (name) w.name(name);
    w.collect('out');
  });
}

async function rejectsWith(assigner: WindowAssigner<number, TimeWindow>, name: string | undefined, ...fragments: string[]): Promise<void> {
  await assert.rejects(runJob(jobWith(assigner, name), { parallelism: 2, clock: new VirtualClock() }), (err: unknown) => {
    assert.ok(err instanceof WeirError, `not a WeirError: ${String(err)}`);
    assert.equal(err.code, 'INVALID_WINDOW');
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" lacks "${f}"`);
    return true;
  });
}

test('a window size of 0 fails at plan time with the operator name', async () => {
  await rejectsWith(TumblingEventTimeWindows.of(0), 'hourly-sums', 'operator "hourly-sums"', 'window size must be > 0');
  // The default name describes the window.
  await rejectsWith(TumblingEventTimeWindows.of(0), undefined, 'Window(TumblingEventTimeWindows(0), EventTimeTrigger(), Reduce)', 'window size must be > 0 ms, got 0');
  await rejectsWith(TumblingProcessingTimeWindows.of(0), 'pt', 'operator "pt"', 'window size');
});

test('other invalid sizes, slides, gaps and offsets fail the same way', async () => {
  await rejectsWith(TumblingEventTimeWindows.of(-5), 'neg', 'operator "neg"', 'window size must be > 0 ms, got -5');
  await rejectsWith(SlidingEventTimeWindows.of(10, 0), 'slide', 'operator "slide"', 'window slide must be > 0 ms, got 0');
  await rejectsWith(SlidingEventTimeWindows.of(0, 5), 'sliding-size', 'operator "sliding-size"', 'window size');
  await rejectsWith(EventTimeSessionWindows.withGap(0) as WindowAssigner<number, TimeWindow>, 'sessions', 'operator "sessions"', 'session gap must be > 0 ms');
  await rejectsWith(TumblingEventTimeWindows.of(10, 10), 'offset', 'operator "offset"', 'offset 10 must be smaller than the size 10');
});

test('a valid window is not rejected', async () => {
  const result = await runJob(jobWith(TumblingEventTimeWindows.of(2)), { parallelism: 2, clock: new VirtualClock() });
  assert.equal(result.state, 'FINISHED', result.error?.message);
  // Keys 1 (1, 3) and 0 (2): windows [0,2) = 1, [2,4) = 2 and 3.
  assert.deepEqual([...(result.collected.get('out') ?? [])].sort(), [1, 2, 3]);
});

test('a trigger that cannot merge is rejected on session windows at plan time', async () => {
  class FireEveryRecord extends Trigger<unknown, Window> {
    onElement(): TriggerResult {
      return 'FIRE';
    }
    onEventTime(): TriggerResult {
      return 'CONTINUE';
    }
    onProcessingTime(): TriggerResult {
      return 'CONTINUE';
    }
    clear(): void {}
    toString(): string {
      return 'FireEveryRecord()';
    }
  }
  const job = defineJob((env: StreamExecutionEnvironment) => {
    env
      .fromElements(1, 2, 3)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v))
      .keyBy(() => 'k')
      .window(EventTimeSessionWindows.withGap(5))
      .trigger(PurgingTrigger.of(new FireEveryRecord()))
      .reduce((a, b) => a + b)
      .name('sessions')
      .collect('out');
  });
  await assert.rejects(runJob(job, { clock: new VirtualClock() }), (err: unknown) => {
    assert.ok(err instanceof WeirError);
    assert.equal(err.code, 'INVALID_WINDOW');
    assert.match(err.message, /operator "sessions".*PurgingTrigger\(FireEveryRecord\(\)\) cannot be used with merging windows/);
    return true;
  });
});

test('event-time windows over records without timestamps fail the job, naming the operator', async () => {
  const result = await runJob(
    defineJob((env: StreamExecutionEnvironment) => {
      env.fromElements(1, 2, 3).keyBy(() => 'k').window(TumblingEventTimeWindows.of(10)).sum().name('no-timestamps').collect('out');
    }),
    { clock: new VirtualClock() },
  );
  assert.equal(result.state, 'FAILED');
  assert.match(result.error?.message ?? '', /operator "no-timestamps".*without an event timestamp/);
});
