/** Invalid jobs and failing user code: the error codes and the operators they name. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyedProcessFunction, ProcessFunction, ValueStateDescriptor, WatermarkStrategy, defineJob } from '../../src/api/index.ts';
import type { Collector, KeyedProcessContext, OnTimerContext, ProcessContext, RuntimeContext, Source } from '../../src/api/index.ts';
import { runJob, VirtualClock, WeirError } from '../../src/runtime/index.ts';
import type { JobResult } from '../../src/runtime/index.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';

const run = (job: ReturnType<typeof defineJob>, parallelism = 1) => runJob(job, { parallelism, clock: new VirtualClock() });

function failed(r: JobResult): WeirError {
  assert.equal(r.state, 'FAILED');
  assert.ok(r.error instanceof WeirError);
  return r.error;
}

test('a job main that throws rejects with JOB_MAIN_FAILED and the cause', async () => {
  const job = defineJob(() => {
    throw new Error('no config file');
  });
  await assert.rejects(run(job), (err: unknown) => {
    assert.ok(err instanceof WeirError);
    assert.equal(err.code, 'JOB_MAIN_FAILED');
    assert.match(err.message, /no config file/);
    return true;
  });
});

test('a throwing map fails the job; the error names the operator and its uid', async () => {
  const job = defineJob((env) => {
    env
      .fromElements(1, 2, 0, 4)
      .map((v) => {
        if (v === 0) throw new Error('division by zero');
        return 12 / v;
      })
      .name('invert')
      .uid('invert-uid')
      .collect('out');
  });
  const err = failed(await run(job));
  assert.equal(err.code, 'USER_FUNCTION_FAILED');
  assert.match(err.message, /operator "invert" \(uid "invert-uid"\)/);
  assert.match(err.message, /division by zero/);
});

test('a throwing KeyedProcessFunction fails the job naming it', async () => {
  const job = defineJob((env) => {
    env
      .fromElements('a')
      .keyBy((k) => k)
      .process(
        new (class extends KeyedProcessFunction<string, string, string> {
          processElement(): void {
            throw new TypeError('bad record');
          }
        })(),
      )
      .name('checker')
      .collect('out');
  });
  const err = failed(await run(job, 2));
  assert.match(err.message, /operator "checker"/);
  assert.match(err.message, /bad record/);
});

for (const domain of ['event', 'processing'] as const) {
  test(`a throwing ${domain}-time onTimer fails the job naming the operator`, async () => {
    const job = defineJob((env) => {
      env
        .fromSource(new ScriptedSource([{ at: 0, value: 'a', ts: 1 }], 100), WatermarkStrategy.forMonotonousTimestamps<string>(), 'src')
        .keyBy((k) => k)
        .process(
          new (class extends KeyedProcessFunction<string, string, string> {
            processElement(_v: string, ctx: KeyedProcessContext<string>): void {
              if (domain === 'event') ctx.timerService().registerEventTimeTimer(1);
              else ctx.timerService().registerProcessingTimeTimer(5);
            }
            override onTimer(t: number, ctx: OnTimerContext<string>): void {
              throw new Error(`timer ${t} ${ctx.timeDomain()} failed`);
            }
          })(),
        )
        .name('alarm')
        .uid('alarm-uid')
        .collect('out');
    });
    const err = failed(await run(job));
    assert.equal(err.code, 'USER_FUNCTION_FAILED');
    // event time: the input ends at 100, before the first periodic watermark (200); its +Infinity fires the timer
    assert.match(err.message, /operator "alarm" \(uid "alarm-uid"\)/);
    assert.match(err.message, domain === 'event' ? /timer 1 EVENT_TIME failed/ : /timer 5 PROCESSING_TIME failed/);
  });
}

test('a key selector returning undefined fails with INVALID_KEY naming the consumer', async () => {
  const job = defineJob((env) => {
    env
      .fromElements({ id: 'a' }, { id: undefined })
      .keyBy((r) => r.id)
      .process(
        new (class extends KeyedProcessFunction<string | undefined, { id: string | undefined }, string> {
          processElement(r: { id: string | undefined }, _ctx: KeyedProcessContext<string | undefined>, out: Collector<string>): void {
            out.collect(String(r.id));
          }
        })(),
      )
      .name('per-id')
      .collect('out');
  });
  for (const parallelism of [1, 3]) {
    const err = failed(await run(job, parallelism));
    assert.equal(err.code, 'INVALID_KEY');
    assert.match(err.message, /"per-id"/);
    assert.match(err.message, /undefined/);
  }
});

test('a throwing key selector fails with USER_FUNCTION_FAILED naming the consumer', async () => {
  const job = defineJob((env) => {
    env
      .fromElements<{ x?: { y: string } }>({ x: { y: 'a' } }, {})
      .keyBy((r) => r.x!.y)
      .sum('n')
      .name('agg')
      .collect('out');
  });
  // Parallelism 1: the keyed operator's own key extraction fails; 2: the keyBy's partitioner does.
  for (const parallelism of [1, 2]) {
    const err = failed(await run(job, parallelism));
    assert.equal(err.code, 'USER_FUNCTION_FAILED');
    assert.match(err.message, /"agg"/);
    assert.match(err.message, /key selector/);
    assert.match(err.message, /reading 'y'/);
  }
});

test('a key selector returning NaN or an object fails with INVALID_KEY', async () => {
  for (const bad of [NaN, { nested: true }]) {
    const job = defineJob((env) => {
      env
        .fromElements(1)
        .keyBy(() => bad)
        .sum()
        .collect('out');
    });
    assert.equal(failed(await run(job)).code, 'INVALID_KEY');
  }
});

test('a timestamp assigner returning NaN fails with INVALID_TIMESTAMP naming the operator', async () => {
  const job = defineJob((env) => {
    env
      .fromElements({ t: 1 }, { t: Number.NaN })
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<{ t: number }>().withTimestampAssigner((r) => r.t))
      .name('event-time')
      .uid('ts-uid')
      .collect('out');
  });
  const err = failed(await run(job));
  assert.equal(err.code, 'INVALID_TIMESTAMP');
  assert.match(err.message, /operator "event-time" \(uid "ts-uid"\)/);
  assert.match(err.message, /NaN/);
});

test('a duplicate uid is rejected when the plan is built (DUPLICATE_UID)', async () => {
  const job = defineJob((env) => {
    const s = env.fromElements(1).map((v) => v).uid('same');
    s.filter(() => true).uid('same').collect('out');
  });
  await assert.rejects(run(job), { code: 'DUPLICATE_UID', message: /uid "same"/ });
});

test('parallelism above maxParallelism is rejected (INVALID_PARALLELISM)', async () => {
  const operatorLevel = defineJob((env) => {
    env
      .fromElements(1)
      .map((v) => v)
      .name('wide')
      .setParallelism(8)
      .setMaxParallelism(4)
      .collect('out');
  });
  await assert.rejects(run(operatorLevel), { code: 'INVALID_PARALLELISM', message: /"wide".*parallelism 8 is above maxParallelism 4/ });
  const jobLevel = defineJob((env) => {
    env.setMaxParallelism(2);
    env.fromElements(1).map((v) => v).collect('out');
  });
  await assert.rejects(run(jobLevel, 3), { code: 'INVALID_PARALLELISM' });
  // fromElements supports parallelism 1 only
  const source = defineJob((env) => {
    env.fromElements(1).setParallelism(2).collect('out');
  });
  await assert.rejects(run(source), { code: 'INVALID_PARALLELISM' });
});

test('keyed state on a non-keyed stream fails with KEYED_STATE_ON_NON_KEYED_STREAM', async () => {
  const job = defineJob((env) => {
    env
      .fromElements(1)
      .map({
        open(ctx: RuntimeContext) {
          ctx.getState(new ValueStateDescriptor<number>('count'));
        },
        map: (v: number) => v,
      })
      .name('stateful-map')
      .collect('out');
  });
  const err = failed(await run(job));
  assert.equal(err.code, 'KEYED_STATE_ON_NON_KEYED_STREAM');
  assert.match(err.message, /"stateful-map"/);
});

test('timers on a non-keyed ProcessFunction fail with TIMERS_NEED_KEYED_STREAM', async () => {
  const job = defineJob((env) => {
    env
      .fromElements(1)
      .process(
        new (class extends ProcessFunction<number, number> {
          processElement(_v: number, ctx: ProcessContext): void {
            ctx.timerService().registerEventTimeTimer(10);
          }
        })(),
      )
      .collect('out');
  });
  assert.equal(failed(await run(job)).code, 'TIMERS_NEED_KEYED_STREAM');
});

test('a timer at NaN (e.g. from a record without timestamp) fails with INVALID_TIMER_TIME', async () => {
  for (const domain of ['event', 'processing'] as const) {
    const job = defineJob((env) => {
      env
        .fromElements('a', 'b')
        .keyBy((k) => k)
        .process(
          new (class extends KeyedProcessFunction<string, string, string> {
            processElement(_v: string, ctx: KeyedProcessContext<string>): void {
              // fromElements records carry no timestamp: timestamp() is undefined, + 10 is NaN
              const t = ctx.timestamp()! + 10;
              if (domain === 'event') ctx.timerService().registerEventTimeTimer(t);
              else ctx.timerService().registerProcessingTimeTimer(t);
            }
          })(),
        )
        .name('deadline')
        .collect('out');
    });
    const err = failed(await run(job));
    assert.equal(err.code, 'INVALID_TIMER_TIME');
    assert.match(err.message, /"deadline".*NaN/);
  }
});

test('forward() between different parallelisms is rejected (INVALID_PLAN)', async () => {
  const job = defineJob((env) => {
    env
      .fromElements(1)
      .forward()
      .map((v) => v)
      .setParallelism(2)
      .collect('out');
  });
  await assert.rejects(run(job), { code: 'INVALID_PLAN', message: /forward\(\)/ });
});

test('a source whose pollNext returns NaN fails with INVALID_SOURCE_POLL instead of hanging', async () => {
  const nan: Source<number> = { boundedness: 'BOUNDED', createReader: () => ({ pollNext: () => NaN }) };
  const job = defineJob((env) => {
    env.fromSource(nan, WatermarkStrategy.noWatermarks<number>(), 'nan-source').collect('out');
  });
  const err = failed(await run(job));
  assert.equal(err.code, 'INVALID_SOURCE_POLL');
  assert.match(err.message, /"Source: nan-source"/);
});

test('a job without a sink is rejected (EMPTY_JOB)', async () => {
  const job = defineJob((env) => {
    env.fromElements(1).map((v) => v);
  });
  await assert.rejects(run(job), { code: 'EMPTY_JOB' });
});

test('a RocksDB local directory that cannot be created fails the task naming the path; the job restarts per its strategy, then fails', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bad-localdir-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'file'), '');
  const localdir = join(dir, 'file', 'rocksdb');
  const job = defineJob((env) => {
    env
      .fromElements(1, 2, 3)
      .keyBy((v) => v)
      .reduce((a, b) => a + b)
      .collect('out');
  });
  const config = { 'state.backend.type': 'rocksdb', 'state.backend.rocksdb.localdir': localdir, 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '2', 'restart-strategy.fixed-delay.delay': '1ms' };
  const master = await new Dispatcher().submit(job, { config });
  const err = failed(await master.done);
  assert.equal(err.code, 'STATE_BACKEND_UNAVAILABLE');
  assert.ok(err.message.includes(localdir), err.message);
  assert.match(err.message, /ENOTDIR/);
  assert.equal(master.numRestarts, 2);
});
