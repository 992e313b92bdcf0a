/** Event-time and processing-time timers on keyed streams, and on KeyedCoProcessFunction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  ProcessFunction,
  ValueStateDescriptor,
  WatermarkStrategy,
  defineJob,
} from '../../src/api/index.ts';
import type { Collector, DataStream, KeyedProcessContext, OnTimerContext, ProcessContext, RuntimeContext, ValueState } from '../../src/api/index.ts';
import { runJob, VirtualClock } from '../../src/runtime/index.ts';
import { ScriptedSource } from '../support/scripted-source.ts';
import { backendConfig } from '../support/state-backend.ts';

/** Punctuated: after each event, the watermark is the event's timestamp. */
function punctuated<T>(ts?: (v: T) => number): WatermarkStrategy<T> {
  const s = WatermarkStrategy.forGenerator<T>(() => ({
    onEvent(_e, t, out) {
      out.emitWatermark(t);
    },
    onPeriodicEmit() {},
  }));
  return ts ? s.withTimestampAssigner((v) => ts(v)) : s;
}

/** Appends `|ts=<event timestamp>` to each record, so tests can see output timestamps. */
function withTimestamps(stream: DataStream<string>): DataStream<string> {
  return stream.process(
    new (class extends ProcessFunction<string, string> {
      processElement(v: string, ctx: ProcessContext, out: Collector<string>): void {
        out.collect(`${v}|ts=${ctx.timestamp()}`);
      }
    })(),
  );
}

interface Cmd {
  k: string;
  t: number;
  reg?: number[];
  del?: number[];
}

class EventTimers extends KeyedProcessFunction<string, Cmd, string> {
  processElement(c: Cmd, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    out.collect(`el ${c.k}${c.t}`);
    for (const t of c.reg ?? []) ctx.timerService().registerEventTimeTimer(t);
    for (const t of c.del ?? []) ctx.timerService().deleteEventTimeTimer(t);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`timer ${ctx.getCurrentKey()}@${t} ${ctx.timeDomain()} ctxTs=${ctx.timestamp()} wm=${ctx.timerService().currentWatermark()}`);
    // A timer registered at or behind the current watermark fires in the same advance.
    if (t === 15) ctx.timerService().registerEventTimeTimer(18);
  }
}

test('event-time timers: order, dedup, delete, output timestamp = timer time, time domain', async () => {
  const job = defineJob((env) => {
    const cmds: Cmd[] = [
      { k: 'a', t: 1, reg: [30, 10, 20, 10], del: [20] }, // 10 registered twice -> one timer; 20 deleted
      { k: 'b', t: 2, reg: [15, 10] }, // b@10 is a different timer than a@10 (per key)
    ];
    withTimestamps(
      env
        .fromCollection(cmds)
        .assignTimestampsAndWatermarks(punctuated<Cmd>((c) => c.t))
        .keyBy((c) => c.k)
        .process(new EventTimers()),
    ).collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // Watermarks 1 and 2 fire nothing; the end of input (+Infinity) fires all, by time, and
  // equal times in registration order (a@10 before b@10); b@15 registers b@18, which is
  // behind the watermark and fires in the same advance. Elements keep their timestamps.
  assert.deepEqual(r.collected.get('out'), [
    'el a1|ts=1',
    'el b2|ts=2',
    'timer a@10 EVENT_TIME ctxTs=10 wm=Infinity|ts=10',
    'timer b@10 EVENT_TIME ctxTs=10 wm=Infinity|ts=10',
    'timer b@15 EVENT_TIME ctxTs=15 wm=Infinity|ts=15',
    'timer b@18 EVENT_TIME ctxTs=18 wm=Infinity|ts=18',
    'timer a@30 EVENT_TIME ctxTs=30 wm=Infinity|ts=30',
  ]);
});

test('event-time timers fire as the watermark passes them, interleaved with elements', async () => {
  const job = defineJob((env) => {
    const cmds: Cmd[] = [
      { k: 'a', t: 5, reg: [10] },
      { k: 'a', t: 8, reg: [9] },
      { k: 'a', t: 12 },
      { k: 'a', t: 20, reg: [15, 11] }, // 11 is behind the watermark (12): fires at the next advance
      { k: 'a', t: 21 },
    ];
    env
      .fromCollection(cmds)
      .assignTimestampsAndWatermarks(punctuated<Cmd>((c) => c.t))
      .keyBy((c) => c.k)
      .process(new EventTimers())
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // Each element is followed by watermark = its timestamp, so: el5 (wm5), el8 (wm8),
  // el12 then wm12 fires 9, 10; el20 then wm20 fires 11, 15 (15 registers 18 <= 20: fires too).
  assert.deepEqual(r.collected.get('out'), [
    'el a5',
    'el a8',
    'el a12',
    'timer a@9 EVENT_TIME ctxTs=9 wm=12',
    'timer a@10 EVENT_TIME ctxTs=10 wm=12',
    'el a20',
    'timer a@11 EVENT_TIME ctxTs=11 wm=20',
    'timer a@15 EVENT_TIME ctxTs=15 wm=20',
    'timer a@18 EVENT_TIME ctxTs=18 wm=20',
    'el a21',
  ]);
});

class ProcessingTimers extends KeyedProcessFunction<string, string, string> {
  processElement(v: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const ts = ctx.timerService();
    const now = ts.currentProcessingTime();
    const [key, action] = v.split(':');
    out.collect(`el ${key}@${now}`);
    if (action === 'del') ts.deleteProcessingTimeTimer(now + 90);
    else ts.registerProcessingTimeTimer(now + 100);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const now = ctx.timerService().currentProcessingTime();
    out.collect(`timer ${ctx.getCurrentKey()}@${t} now=${now} ${ctx.timeDomain()} ctxTs=${ctx.timestamp()}`);
    // a@100 and b@150 register a follow-up 30 ms later, from onTimer.
    if (t === 100 || t === 150) ctx.timerService().registerProcessingTimeTimer(t + 30);
  }
}

test('processing-time timers under a VirtualClock: from processElement and from onTimer, delete, drop at end', async () => {
  const source = new ScriptedSource<string>(
    [
      { at: 0, value: 'a' }, // timer a@100
      { at: 50, value: 'b' }, // timer b@150
      { at: 60, value: 'd' }, // timer d@160
      { at: 70, value: 'd:del' }, // deletes d@160 (70 + 90)
      { at: 120, value: 'a' }, // timer a@220
      { at: 900, value: 'c' }, // timer c@1000: still pending when the input ends at 950 -> dropped
    ],
    950,
  );
  const job = defineJob((env) => {
    withTimestamps(
      env
        .fromSource(source, WatermarkStrategy.noWatermarks<string>(), 'scripted')
        .keyBy((v) => v.split(':')[0]!)
        .process(new ProcessingTimers()),
    ).collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // The clock jumps to each next source emission or timer: a@100 (registers a@130 from
  // onTimer), el a@120, a@130, b@150 (registers b@180), b@180, a@220; d@160 was deleted.
  // Output of processing-time timers carries no event timestamp.
  assert.deepEqual(r.collected.get('out'), [
    'el a@0|ts=undefined',
    'el b@50|ts=undefined',
    'el d@60|ts=undefined',
    'el d@70|ts=undefined',
    'timer a@100 now=100 PROCESSING_TIME ctxTs=undefined|ts=undefined',
    'el a@120|ts=undefined',
    'timer a@130 now=130 PROCESSING_TIME ctxTs=undefined|ts=undefined',
    'timer b@150 now=150 PROCESSING_TIME ctxTs=undefined|ts=undefined',
    'timer b@180 now=180 PROCESSING_TIME ctxTs=undefined|ts=undefined',
    'timer a@220 now=220 PROCESSING_TIME ctxTs=undefined|ts=undefined',
    'el c@900|ts=undefined',
  ]);
});

interface Order {
  id: string;
}
interface Payment {
  id: string;
}

/** Orders expect a payment within 10 ms of event time; the timer reports paid/unpaid. */
class PaymentCheck extends KeyedCoProcessFunction<string, Order, Payment, string> {
  private paid!: ValueState<boolean>;
  private fired!: ValueState<boolean>;
  override open(ctx: RuntimeContext): void {
    this.paid = ctx.getState(new ValueStateDescriptor<boolean>('paid', false));
    this.fired = ctx.getState(new ValueStateDescriptor<boolean>('fired', false));
  }
  processElement1(_o: Order, ctx: KeyedProcessContext<string>): void {
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
  }
  processElement2(p: Payment, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    if (this.fired.value()) out.collect(`late payment ${p.id}`);
    else this.paid.update(true);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()} ${this.paid.value() ? 'paid' : 'unpaid'} @${t} ${ctx.timeDomain()}`);
    this.fired.update(true);
  }
}

test('timers on a KeyedCoProcessFunction fire on the minimum watermark of both inputs, with state shared by both', async () => {
  // Orders all at processing time 0 (then that input ends: its watermark is +Infinity);
  // payments at 100, 200, 300, so the combined watermark is the payments' one.
  const orders = new ScriptedSource<Order>([
    { at: 0, value: { id: 'o1' }, ts: 1 },
    { at: 0, value: { id: 'o2' }, ts: 2 },
    { at: 0, value: { id: 'o3' }, ts: 3 },
  ]);
  const payments = new ScriptedSource<Payment>([
    { at: 100, value: { id: 'o1' }, ts: 5 },
    { at: 200, value: { id: 'o9' }, ts: 20 },
    { at: 300, value: { id: 'o3' }, ts: 30 },
  ]);
  const job = defineJob((env) => {
    const o = env.fromSource(orders, punctuated<Order>(), 'orders');
    const p = env.fromSource(payments, punctuated<Payment>(), 'payments');
    o.connect(p)
      .keyBy(
        (x) => x.id,
        (y) => y.id,
      )
      .process(new PaymentCheck())
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // Timers o1@11, o2@12, o3@13. At 100 payment o1 (wm 5): o1 paid, nothing fires.
  // At 200 payment o9 (no order), then wm 20 fires 11, 12, 13: o1 paid, o2 and o3 unpaid.
  // At 300 payment o3 arrives after its timer fired: late.
  assert.deepEqual(r.collected.get('out'), ['o1 paid @11 EVENT_TIME', 'o2 unpaid @12 EVENT_TIME', 'o3 unpaid @13 EVENT_TIME', 'late payment o3']);
});

test('processing-time timers on a KeyedCoProcessFunction', async () => {
  const left = new ScriptedSource<string>([{ at: 10, value: 'k' }], 500);
  const right = new ScriptedSource<string>([{ at: 40, value: 'k' }], 500);
  const job = defineJob((env) => {
    env
      .fromSource(left, WatermarkStrategy.noWatermarks<string>(), 'left')
      .connect(env.fromSource(right, WatermarkStrategy.noWatermarks<string>(), 'right'))
      .keyBy(
        (x) => x,
        (y) => y,
      )
      .process(
        new (class extends KeyedCoProcessFunction<string, string, string, string> {
          processElement1(_v: string, ctx: KeyedProcessContext<string>): void {
            ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 100);
          }
          processElement2(_v: string, ctx: KeyedProcessContext<string>): void {
            ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 10);
          }
          override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
            out.collect(`${ctx.getCurrentKey()}@${t} ${ctx.timeDomain()}`);
          }
        })(),
      )
      .collect('out');
  });
  const r = await runJob(job, { parallelism: 1, clock: new VirtualClock(), config: backendConfig() });
  assert.equal(r.state, 'FINISHED', r.error?.message);
  // left at 10 -> k@110; right at 40 -> k@50. Both fire before the inputs end at 500.
  assert.deepEqual(r.collected.get('out'), ['k@50 PROCESSING_TIME', 'k@110 PROCESSING_TIME']);
});
