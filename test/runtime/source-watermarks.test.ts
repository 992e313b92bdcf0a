/**
 * Watermarks are generated inside the source subtask, per split, as Flink does: the same
 * bounded, out-of-order input through a tumbling window with allowed lateness and a late
 * side output gives the same main and late outputs whether one source subtask reads all
 * four splits or each split has its own subtask. (A separate watermark operator fed
 * round-robin from the source, what fromSource used to add, would follow the fastest split
 * and drop the lagging splits' records as late.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputTag, ProcessWindowFunction, TumblingEventTimeWindows, WatermarkStrategy, defineJob } from '../../src/api/index.ts';
import type { Collector, ProcessWindowContext, ReaderOutput, Source, SourcePoll, SourceReaderContext, TimeWindow } from '../../src/api/index.ts';
import { VirtualClock, runJob } from '../../src/runtime/index.ts';

interface Reading {
  split: number;
  seq: number;
  at: number;
}

const SPLITS = 4;
const PER_SPLIT = 60;

/**
 * Split j's record k: event time 10 000 + 100k - 2 000j (split j lags j * 2s), plus up to
 * 300 ms of disorder; split 3's record 40 is a straggler 4 s behind its split.
 */
function reading(split: number, seq: number): Reading {
  const disorder = (seq * 7919) % 300;
  const straggler = split === 3 && seq === 40 ? -4000 : 0;
  return { split, seq, at: 10_000 + seq * 100 - split * 2000 + disorder + straggler };
}

/** Four splits; subtask s reads splits s, s+p, ...; each split emits record k at 10k ms of processing time, on its own split output. */
class SplitSource implements Source<Reading> {
  readonly boundedness = 'BOUNDED';

  createReader(ctx: SourceReaderContext) {
    const mine = Array.from({ length: SPLITS }, (_, j) => j).filter((j) => j % ctx.parallelism === ctx.subtaskIndex);
    const next = new Map(mine.map((j) => [j, 0]));
    const start = ctx.currentProcessingTime();
    return {
      pollNext(output: ReaderOutput<Reading>): SourcePoll {
        const due = Math.floor((ctx.currentProcessingTime() - start) / 10);
        // Round-robin over the splits, one record each, while any has one due.
        for (let emitted = true; emitted; ) {
          emitted = false;
          for (const j of mine) {
            const k = next.get(j)!;
            if (k >= PER_SPLIT || k > due) continue;
            const r = reading(j, k);
            output.createOutputForSplit(String(j)).collectWithTimestamp(r, r.at);
            next.set(j, k + 1);
            emitted = true;
            if (k + 1 === PER_SPLIT) output.releaseOutputForSplit(String(j));
          }
        }
        const pending = [...next.values()].filter((k) => k < PER_SPLIT);
        if (pending.length === 0) return 'end';
        return start + Math.min(...pending) * 10;
      },
    };
  }
}

class Count extends ProcessWindowFunction<number, string, number, TimeWindow> {
  process(key: number, ctx: ProcessWindowContext<TimeWindow>, counts: number[], out: Collector<string>): void {
    out.collect(`key ${key} [${ctx.window().start},${ctx.window().end}) = ${counts[0]}`);
  }
}

async function run(sourceParallelism: number): Promise<{ main: string[]; late: Reading[] }> {
  const late = new OutputTag<Reading>('late');
  const job = defineJob((env) => {
    env.setParallelism(2);
    const windows = env
      .fromSource(new SplitSource(), WatermarkStrategy.forBoundedOutOfOrderness<Reading>(400), 'splits')
      .setParallelism(sourceParallelism)
      .keyBy((r) => r.split % 2)
      .window(TumblingEventTimeWindows.of(1000))
      .allowedLateness(500)
      .sideOutputLateData(late)
      .aggregate({ createAccumulator: () => 0, add: (_r: Reading, n: number) => n + 1, getResult: (n: number) => n, merge: (a: number, b: number) => a + b }, new Count());
    windows.collect('main');
    windows.getSideOutput(late).collect('late');
  });
  const result = await runJob(job, { clock: new VirtualClock(0) });
  assert.equal(result.state, 'FINISHED', result.error?.message);
  return { main: (result.collected.get('main') as string[]).sort(), late: (result.collected.get('late') as Reading[] | undefined) ?? [] };
}

test('per-split watermarks: identical main and late outputs at source parallelism 1, 2 and 4', async () => {
  // Every record but the straggler is within its split's bound (disorder < 300 < 400), so
  // the windows count exactly these; the straggler is behind every split's watermark.
  const expected = new Map<string, number>();
  for (let j = 0; j < SPLITS; j++) {
    for (let k = 0; k < PER_SPLIT; k++) {
      if (j === 3 && k === 40) continue;
      const r = reading(j, k);
      const start = Math.floor(r.at / 1000) * 1000;
      const id = `key ${j % 2} [${start},${start + 1000})`;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
  }
  const main = [...expected].map(([id, n]) => `${id} = ${n}`).sort();
  for (const p of [1, 2, 4]) {
    const out = await run(p);
    assert.deepEqual(out.main, main, `source parallelism ${p}`);
    assert.deepEqual(out.late, [reading(3, 40)], `source parallelism ${p}`);
  }
});
