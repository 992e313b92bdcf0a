/**
 * Session windows: merging windows merges their state (aggregate accumulators via
 * AggregateFunction.merge, reduce values, element lists), moves the trigger timers, and a
 * late record within the allowed lateness can bridge two sessions that already fired.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CountTrigger, EventTimeSessionWindows, OutputTag, ProcessWindowFunction, TimeEvictor, WatermarkStrategy } from '../../../src/api/index.ts';
import type { AggregateFunction, Collector, ProcessWindowContext, StreamExecutionEnvironment, TimeWindow } from '../../../src/api/index.ts';
import { punctuated } from '../../support/timed-source.ts';
import { ev, run, stamped } from './helpers.ts';
import type { Ev } from './helpers.ts';

type WEv = Ev & { wm?: number };
const tick = (wm: number): WEv => ({ ...ev('tick', 0, wm), wm });

/**
 * Gap 5, all records emitted at once (only the final watermark). Key a:
 *   1@0 -> [0,5);  3@10 -> [10,15);  5@4 -> [4,9) merges with [0,5): [0,9);
 *   7@7 -> [7,12) bridges [0,9) and [10,15): [0,15) holding 1,3,5,7.
 * Key b: 100@0 -> [0,5) and 200@20 -> [20,25) stay apart.
 */
const input = [ev('a', 1, 0), ev('b', 100, 0), ev('a', 3, 10), ev('a', 5, 4), ev('b', 200, 20), ev('a', 7, 7)];

function sessions(env: StreamExecutionEnvironment) {
  return env
    .fromElements(...input)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(100).withTimestampAssigner((e) => e.t))
    .keyBy((e) => e.k)
    .window(EventTimeSessionWindows.withGap(5));
}

interface Avg {
  sum: number;
  count: number;
}

/** An average; merging sessions must merge accumulators, or the count comes out wrong. */
const average: AggregateFunction<Ev, Avg, string> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (e, acc) => ({ ...acc, sum: acc.sum + e.v, count: acc.count + 1 }),
  getResult: (acc) => `avg=${acc.sum / acc.count} n=${acc.count}`,
  merge: (x, y) => ({ sum: x.sum + y.sum, count: x.count + y.count }),
};

class WithWindow<T> extends ProcessWindowFunction<T, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: T[], out: Collector<string>): void {
    const w = ctx.window();
    out.collect(`${key}[${w.start},${w.end}) ${elements.map(String).join(' ')}`);
  }
}

test('session merging merges aggregate accumulators', async () => {
  // a: 1,3,5,7 -> avg 4 over 4 records; b: two sessions of one record each.
  // Results fire at the final watermark in window-end order: b[0,5) (4), a[0,15) (14), b[20,25) (24).
  const out = await run((env) => {
    stamped(sessions(env).aggregate(average)).map((r) => `${r.value}@${r.ts}`).collect('out');
  });
  assert.deepEqual(out('out'), ['avg=100 n=1@4', 'avg=4 n=4@14', 'avg=200 n=1@24']);
});

test('session merging with aggregate + ProcessWindowFunction sees the merged window', async () => {
  const out = await run((env) => {
    sessions(env).aggregate(average, new WithWindow<string>()).collect('out');
  });
  assert.deepEqual(out('out'), ['b[0,5) avg=100 n=1', 'a[0,15) avg=4 n=4', 'b[20,25) avg=200 n=1']);
});

test('session merging merges reduce state', async () => {
  // a: 1+3+5+7 = 16 in [0,15); b: 100 and 200.
  const out = await run((env) => {
    sessions(env)
      .reduce((x, y) => ({ k: x.k, v: x.v + y.v, t: Math.min(x.t, y.t) }))
      .map((e) => `${e.k}=${e.v}`)
      .collect('out');
  });
  assert.deepEqual(out('out'), ['b=100', 'a=16', 'b=200']);
});

test('session merging merges the element lists of a process function', async () => {
  class Values extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
      const w = ctx.window();
      out.collect(`${key}[${w.start},${w.end}) ${elements.map((e) => e.v).sort((x, y) => x - y).join(',')}`);
    }
  }
  const out = await run((env) => {
    sessions(env).process(new Values()).collect('out');
  });
  assert.deepEqual(out('out'), ['b[0,5) 100', 'a[0,15) 1,3,5,7', 'b[20,25) 200']);
});

test('an evictor on sessions works on the merged element list', async () => {
  // TimeEvictor(5) on a[0,15) = {1@0, 3@10, 5@4, 7@7}: newest 10, keeps ts > 5: 3 and 7. b's sessions keep their one record.
  class Values extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
    process(key: string, _ctx: ProcessWindowContext<TimeWindow>, elements: Ev[], out: Collector<string>): void {
      out.collect(`${key} ${elements.map((e) => e.v).sort((x, y) => x - y).join(',')}`);
    }
  }
  const out = await run((env) => {
    sessions(env).evictor(TimeEvictor.of(5)).process(new Values()).collect('out');
  });
  assert.deepEqual(out('out'), ['b 100', 'a 3,7', 'b 200']);
});

test('a count trigger on sessions merges its count with the windows', async () => {
  // CountTrigger(3) on sessions (gap 5): 1@0 [0,5) count 1; 3@10 [10,15) count 1; 5@4 -> [0,9) count 2;
  // 7@7 bridges -> [0,15) with counts 2+1 merged = 3, plus this record = 4 >= 3: fires 1+3+5+7 = 16.
  // (Had the counts not been merged, the bridging record would count 1 and nothing would fire.)
  const out = await run((env) => {
    sessions(env)
      .trigger(CountTrigger.of(3))
      .reduce((x, y) => ({ k: x.k, v: x.v + y.v, t: 0 }))
      .map((e) => `${e.k}=${e.v}`)
      .collect('out');
  });
  assert.deepEqual(out('out'), ['a=16']);
});

test('a late record within the allowed lateness bridges two sessions that already fired', async () => {
  // Gap 5, allowed lateness 20, watermarks from ticks only.
  //   1@0 -> [0,5), 2@10 -> [10,15); tick 20: fires [0,5) = 1 (ts 4) and [10,15) = 2 (ts 14).
  //   4@5 -> [5,10) touches both (cleanup at 24 and 34, not yet): merged [0,15) = 1+2+4 = 7, past its end: fires at once.
  //   tick 30.  8@3 -> [3,8) lies inside [0,15) (cleanup 34 > 30): fires again 15.
  //   tick 40: [0,15) cleaned up.  16@1 -> [1,6), whose cleanup 25 <= 40: late, to the side output.
  const late = new OutputTag<Ev>('late');
  const data: WEv[] = [ev('a', 1, 0), ev('a', 2, 10), tick(20), ev('a', 4, 5), tick(30), ev('a', 8, 3), tick(40), ev('a', 16, 1)];
  const out = await run((env) => {
    const r = env
      .fromElements(...data)
      .assignTimestampsAndWatermarks(punctuated((e: WEv) => e.t, (e) => e.wm))
      .filter((e) => e.k !== 'tick')
      .keyBy((e) => e.k)
      .window(EventTimeSessionWindows.withGap(5))
      .allowedLateness(20)
      .sideOutputLateData(late)
      .aggregate(
        {
          createAccumulator: () => 0,
          add: (e: Ev, acc: number) => acc + e.v,
          getResult: (acc: number) => acc,
          merge: (x: number, y: number) => x + y,
        },
        new WithWindow<number>(),
      );
    stamped(r).map((x) => `${x.value}@${x.ts}`).collect('out');
    r.getSideOutput(late).map((e) => e.v).collect('late');
  });
  assert.deepEqual(out('out'), ['a[0,5) 1@4', 'a[10,15) 2@14', 'a[0,15) 7@14', 'a[0,15) 15@14']);
  assert.deepEqual(out('late'), [16]);
});
