/** Records stamped at creation; sinks sample the end-to-end latency into the job result. */
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';

/** Epoch ms with sub-millisecond precision, comparable between processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

class LatencySink implements Sink<{ created: number }> {
  createWriter(ctx: SinkWriterContext): SinkWriter<{ created: number }> {
    const samples: number[] = [];
    let seen = 0;
    return {
      write(values) {
        const t = now();
        for (const v of values) if (seen++ % 50 === 0) samples.push(t - v.created);
      },
      close() {
        ctx.addToResult('latencies', samples);
      },
    };
  }
}

export default defineJob((env, args) => {
  env.setJobName('latency-bench');
  const rate = Number(args.rate ?? 100_000);
  env
    .fromSource(new DataGeneratorSource((i) => ({ key: i % 1000, created: now() }), Number(args.records ?? 500_000), { recordsPerSecond: rate }), WatermarkStrategy.noWatermarks(), 'stamped')
    .keyBy((r) => r.key)
    .sinkTo(new LatencySink(), 'latency');
});
