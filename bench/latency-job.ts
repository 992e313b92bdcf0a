/**
 * The job of the cluster latency benchmark. Its source sends on a fixed schedule (record
 * k of a subtask is due at the subtask's start + k * p / rate) and stamps each record
 * with that intended time, not with when it got generated: a source that fell behind
 * sends what is due at once, and the delay counts against every record it held back (no
 * coordinated omission). Each sink subtask records every record's latency, receive time
 * minus intended time, into a histogram it hands to the job result at close.
 */
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import type { Sink, SinkWriter, SinkWriterContext, Source, SourceReader, SourceReaderContext } from '../src/api/index.ts';
import { LatencyHistogram } from './support/latency-histogram.ts';
import type { HistogramData } from './support/latency-histogram.ts';
import { epochNow as now, TailRecorder } from './support/tail-causes.ts';
import type { TailEvidence } from './support/tail-causes.ts';

interface Scheduled {
  i: number;
  /** When this record was due to be sent, epoch ms. */
  intended: number;
}

export const LATENCY = 'latency';

/** What one sink subtask measured. */
export interface SinkLatency {
  received: number;
  histogram: HistogramData;
  tail: TailEvidence;
}

class ScheduledSource implements Source<Scheduled> {
  readonly boundedness = 'BOUNDED';
  constructor(
    private readonly records: number,
    private readonly ratePerSecond: number,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<Scheduled> {
    const { records } = this;
    const step = ctx.parallelism;
    const intervalMs = (1000 * ctx.parallelism) / this.ratePerSecond;
    let next = ctx.subtaskIndex;
    let sent = 0;
    let start = Number.NaN;
    return {
      pollNext(output, maxRecords) {
        if (next >= records) return 'end';
        const t = now();
        if (Number.isNaN(start)) start = t;
        const due = Math.floor((t - start) / intervalMs) + 1 - sent;
        if (due <= 0) return ctx.currentProcessingTime() + (start + sent * intervalMs - t);
        for (let j = 0; j < Math.min(due, maxRecords) && next < records; j++, sent++, next += step) {
          output.collect({ i: next, intended: start + sent * intervalMs });
        }
        return next >= records ? 'end' : 'more';
      },
    };
  }
}

/** Records the latency of every record but those of the warm-up (index below `skip`). */
class LatencySink implements Sink<Scheduled> {
  constructor(
    private readonly skip: number,
    private readonly slowMs: number,
  ) {}
  createWriter(ctx: SinkWriterContext): SinkWriter<Scheduled> {
    const histogram = new LatencyHistogram();
    const tail = new TailRecorder(this.slowMs);
    const skip = this.skip;
    let received = 0;
    return {
      write(values) {
        const t = now();
        received += values.length;
        for (let k = 0; k < values.length; k++) {
          const v = values[k]!;
          if (v.i < skip) continue;
          histogram.recordMs(t - v.intended);
          tail.record(v.intended, t);
        }
      },
      snapshotState() {
        tail.checkpoint(now());
        return [];
      },
      close() {
        const result: SinkLatency = { received, histogram: histogram.toJSON(), tail: tail.finish() };
        ctx.addToResult(LATENCY, [result]);
      },
    };
  }
}

export default defineJob((env, args) => {
  env.setJobName('latency-bench');
  const rate = Number(args.rate ?? 100_000);
  const warmupRecords = Math.round(rate * Number(args.warmupSeconds ?? 1));
  env
    .fromSource(new ScheduledSource(Number(args.records ?? 500_000), rate), WatermarkStrategy.noWatermarks(), 'scheduled')
    .keyBy((r) => r.i % 1000)
    .sinkTo(new LatencySink(warmupRecords, Number(args.slowMs ?? 1)), 'latency');
});
