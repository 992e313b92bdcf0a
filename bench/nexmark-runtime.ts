/**
 * Nexmark q0, q1, q2, q5 and q7 as Weir jobs, run in this process. Each ends in a sink
 * that folds every row into a count and checksum exactly as the hand-written loops do
 * (bench/support/nexmark-checksum.ts), so no work can be skipped and both sides' outputs
 * can be compared, at any parallelism.
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
import type { AggregateFunction, Collector, JobDefinition, Sink, StreamExecutionEnvironment, KeyedProcessContext, OnTimerContext, ProcessWindowContext, RuntimeContext, TimeWindow, ValueState } from '../src/api/index.ts';
import { NexmarkSource } from '../src/connectors/nexmark/nexmark-source.ts';
import { DOLLAR_TO_EURO, Q2_AUCTION_MODULUS, QuerySink } from '../src/connectors/nexmark/index.ts';
import type { Bid, NexmarkEvent, NexmarkQueryName, Q5Row } from '../src/connectors/nexmark/index.ts';
import { runJob } from '../src/runtime/index.ts';
import { ChecksumSink, ROW_HASH } from './support/nexmark-checksum.ts';
import type { QueryOutput } from './support/nexmark-checksum.ts';

export type NexmarkQuery = NexmarkQueryName;

/** q5's first stage: an auction's bid count in one sliding window, as the reference's Q5Row. */
class CountPerWindow extends ProcessWindowFunction<number, Q5Row, number, TimeWindow> {
  process(auction: number, ctx: ProcessWindowContext<TimeWindow>, counts: number[], out: Collector<Q5Row>): void {
    const w = ctx.window();
    out.collect({ windowStart: w.start, windowEnd: w.end, auction, count: counts[0]! });
  }
}

/** Per window end, the auction(s) with the most bids (ties all kept): emitted when the watermark passes the window. */
class HottestPerWindow extends KeyedProcessFunction<number, Q5Row, Q5Row> {
  private best!: ValueState<Q5Row[]>;
  override open(ctx: RuntimeContext): void {
    this.best = ctx.getState(new ValueStateDescriptor<Q5Row[]>('best'));
  }
  processElement(v: Q5Row, ctx: KeyedProcessContext<number>, _out: Collector<Q5Row>): void {
    const best = this.best.value();
    if (best === undefined || v.count > best[0]!.count) this.best.update([v]);
    else if (v.count === best[0]!.count) best.push(v);
    ctx.timerService().registerEventTimeTimer(v.windowEnd - 1);
  }
  override onTimer(_t: number, _ctx: OnTimerContext<number>, out: Collector<Q5Row>): void {
    for (const v of this.best.value() ?? []) out.collect(v);
    this.best.clear();
  }
}

const countBids: AggregateFunction<Bid, number, number> = {
  createAccumulator: () => 0,
  add: (_b, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

interface HighestBids {
  price: number;
  bids: Bid[];
}

/** q7: the bid(s) with the highest price in a window, ties all kept (as the reference and Flink's join do). */
const highestBids: AggregateFunction<Bid, HighestBids, Bid[]> = {
  createAccumulator: () => ({ price: -Infinity, bids: [] }),
  add: (b, acc) => {
    if (b.price > acc.price) {
      acc.price = b.price;
      acc.bids = [b];
    } else if (b.price === acc.price) {
      acc.bids.push(b);
    }
    return acc;
  },
  getResult: (acc) => acc.bids,
  merge: (a, b) => (a.price > b.price ? a : b.price > a.price ? b : { price: a.price, bids: [...a.bids, ...b.bids] }),
};

export interface NexmarkJobOptions {
  events: number;
  /** Events per second of event time (the generator's firstEventRate). */
  firstEventRate: number;
  parallelism: number;
}

/** Where a query's rows go: a sink that counts and checksums them with the query's row hash. */
export type RowSinkFactory = <T>(hash: (row: T) => number) => Sink<T>;

/** The query's dataflow on `env`, ending in the sink `rowSink` makes. */
export function buildNexmarkQuery(env: StreamExecutionEnvironment, query: NexmarkQuery, options: NexmarkJobOptions, rowSink: RowSinkFactory): void {
  const { events, firstEventRate, parallelism } = options;
  env.setParallelism(parallelism);
  const source = new NexmarkSource({ events, firstEventRate });
  const strategy = query === 'q5' || query === 'q7' ? WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(0) : WatermarkStrategy.noWatermarks<NexmarkEvent>();
  const bids = env
    .fromSource(source, strategy, 'nexmark')
    .uid('nexmark')
    .filter((e) => e.type === 'bid')
    .map((e) => e.bid!);
  switch (query) {
    case 'q0':
      bids.sinkTo(rowSink(ROW_HASH.q0));
      break;
    case 'q1':
      bids
        .map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price * DOLLAR_TO_EURO, dateTime: b.dateTime, extra: b.extra }))
        .sinkTo(rowSink(ROW_HASH.q1));
      break;
    case 'q2':
      bids
        .filter((b) => b.auction % Q2_AUCTION_MODULUS === 0)
        .map((b) => ({ auction: b.auction, price: b.price }))
        .sinkTo(rowSink(ROW_HASH.q2));
      break;
    case 'q5':
      bids
        .keyBy((b) => b.auction)
        .window(SlidingEventTimeWindows.of(10_000, 2_000))
        .aggregate(countBids, new CountPerWindow())
        .uid('bids-per-window')
        .keyBy((c) => c.windowEnd)
        .process(new HottestPerWindow())
        .uid('hottest')
        .sinkTo(rowSink(ROW_HASH.q5));
      break;
    case 'q7':
      bids
        .windowAll(TumblingEventTimeWindows.of(10_000))
        .aggregate(highestBids)
        .uid('highest')
        .flatMap((highest: Bid[], out: Collector<Bid>) => {
          for (const b of highest) out.collect(b);
        })
        .sinkTo(rowSink(ROW_HASH.q7));
      break;
  }
}

/** The query as a job, and the QuerySink its output rows are folded into. */
export function nexmarkJob(query: NexmarkQuery, options: NexmarkJobOptions): { job: JobDefinition; output: QuerySink<unknown> } {
  const output = new QuerySink<unknown>();
  const job = defineJob((env) => buildNexmarkQuery(env, query, options, (hash) => new ChecksumSink(output, hash)));
  return { job, output };
}

export interface RuntimeFigures extends QueryOutput {
  eventsPerSecond: number;
  /** Events per second of this process's CPU time: per-core speed, robust to a busy machine. */
  eventsPerCpuSecond: number;
}

export async function runNexmarkOnRuntime(query: NexmarkQuery, events: number, firstEventRate: number, parallelism = 1, config?: Record<string, string>): Promise<RuntimeFigures> {
  const { job, output } = nexmarkJob(query, { events, firstEventRate, parallelism });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await runJob(job, { parallelism, ...(config ? { config } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (result.state !== 'FINISHED') throw new Error(`nexmark ${query} ${result.state}: ${result.error?.message}`);
  return { eventsPerSecond: events / seconds, eventsPerCpuSecond: events / ((cpu.user + cpu.system) / 1e6), count: output.count, checksum: output.checksum };
}
