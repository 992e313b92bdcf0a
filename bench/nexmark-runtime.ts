/**
 * Nexmark q0, q1, q2, q5 and q7 as Weir jobs, run in this process at parallelism 1.
 * Each ends in a sink that counts and checksums its input, so no work can be skipped.
 */
import {
  defineJob,
  KeyedProcessFunction,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../src/api/index.ts';
import type { Collector, JobDefinition, KeyedProcessContext, OnTimerContext, ProcessWindowContext, RuntimeContext, Sink, SinkWriter, TimeWindow, ValueState } from '../src/api/index.ts';
import { NexmarkSource } from '../src/connectors/nexmark/nexmark-source.ts';
import type { Bid, NexmarkEvent } from '../src/connectors/nexmark/index.ts';
import { runJob } from '../src/runtime/index.ts';

export type NexmarkQuery = 'q0' | 'q1' | 'q2' | 'q5' | 'q7';

/** Counts records and folds a cheap checksum over them. */
class CountingSink<T> implements Sink<T> {
  count = 0;
  checksum = 0;
  constructor(private readonly weigh: (v: T) => number) {}
  createWriter(): SinkWriter<T> {
    return {
      write: (values: readonly T[]) => {
        this.count += values.length;
        let c = this.checksum;
        for (let i = 0; i < values.length; i++) c = (c + this.weigh(values[i]!)) % 1_000_000_007;
        this.checksum = c;
      },
    };
  }
}

interface AuctionCount {
  auction: number;
  count: number;
  windowEnd: number;
}

class CountWithWindowEnd extends ProcessWindowFunction<number, AuctionCount, number, TimeWindow> {
  process(auction: number, ctx: ProcessWindowContext<TimeWindow>, counts: number[], out: Collector<AuctionCount>): void {
    out.collect({ auction, count: counts[0]!, windowEnd: ctx.window().end });
  }
}

/** Per window end, the auction(s) with the most bids: emitted when the watermark passes the window. */
class HottestPerWindow extends KeyedProcessFunction<number, AuctionCount, AuctionCount> {
  private best!: ValueState<AuctionCount[]>;
  override open(ctx: RuntimeContext): void {
    this.best = ctx.getState(new ValueStateDescriptor<AuctionCount[]>('best'));
  }
  processElement(v: AuctionCount, ctx: KeyedProcessContext<number>, _out: Collector<AuctionCount>): void {
    const best = this.best.value();
    if (best === undefined || v.count > best[0]!.count) this.best.update([v]);
    else if (v.count === best[0]!.count) best.push(v);
    ctx.timerService().registerEventTimeTimer(v.windowEnd - 1);
  }
  override onTimer(_t: number, _ctx: OnTimerContext<number>, out: Collector<AuctionCount>): void {
    for (const v of this.best.value() ?? []) out.collect(v);
    this.best.clear();
  }
}

const countAgg = {
  createAccumulator: () => 0,
  add: (_b: Bid, acc: number) => acc + 1,
  getResult: (acc: number) => acc,
  merge: (a: number, b: number) => a + b,
};

export function nexmarkJob(query: NexmarkQuery, events: number, firstEventRate: number): { job: JobDefinition; sink: CountingSink<unknown> } {
  const sink = new CountingSink<unknown>((v) => {
    const r = v as { price?: number; auction?: number; count?: number };
    return Math.round((r.price ?? 0) + (r.auction ?? 0) + (r.count ?? 0));
  });
  const job = defineJob((env) => {
    env.setParallelism(1);
    const source = new NexmarkSource({ events, firstEventRate });
    const strategy = query === 'q5' || query === 'q7' ? WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(0) : WatermarkStrategy.noWatermarks<NexmarkEvent>();
    const bids = env
      .fromSource(source, strategy, 'nexmark')
      .filter((e) => e.type === 'bid')
      .map((e) => e.bid!);
    switch (query) {
      case 'q0':
        bids.sinkTo(sink);
        break;
      case 'q1':
        bids.map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price * 0.908, dateTime: b.dateTime, extra: b.extra })).sinkTo(sink);
        break;
      case 'q2':
        bids.filter((b) => b.auction % 123 === 0).map((b) => ({ auction: b.auction, price: b.price })).sinkTo(sink);
        break;
      case 'q5':
        bids
          .keyBy((b) => b.auction)
          .window(SlidingEventTimeWindows.of(10_000, 2_000))
          .aggregate(countAgg, new CountWithWindowEnd())
          .keyBy((c) => c.windowEnd)
          .process(new HottestPerWindow())
          .sinkTo(sink);
        break;
      case 'q7':
        bids
          .windowAll(TumblingEventTimeWindows.of(10_000))
          .maxBy('price')
          .sinkTo(sink);
        break;
    }
  });
  return { job, sink: sink as CountingSink<unknown> };
}

export interface RuntimeFigures {
  eventsPerSecond: number;
  /** Events per second of this process's CPU time: per-core speed, robust to a busy machine. */
  eventsPerCpuSecond: number;
  outputCount: number;
  checksum: number;
}

export async function runNexmarkOnRuntime(query: NexmarkQuery, events: number, firstEventRate: number): Promise<RuntimeFigures> {
  const { job, sink } = nexmarkJob(query, events, firstEventRate);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await runJob(job, { parallelism: 1 });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (result.state !== 'FINISHED') throw new Error(`nexmark ${query} ${result.state}: ${result.error?.message}`);
  return { eventsPerSecond: events / seconds, eventsPerCpuSecond: events / ((cpu.user + cpu.system) / 1e6), outputCount: sink.count, checksum: sink.checksum };
}
