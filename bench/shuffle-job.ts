/** The job the cluster shuffle benchmark runs: generated records hashed by key across TaskManagers. */
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import type { Sink, SinkWriter } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';

class CountingSink implements Sink<unknown> {
  createWriter(): SinkWriter<unknown> {
    return { write: () => undefined };
  }
}

export default defineJob((env, args) => {
  env.setJobName('shuffle-bench');
  env
    .fromSource(new DataGeneratorSource((i) => ({ key: i % 1000, value: i }), Number(args.records ?? 2_000_000)), WatermarkStrategy.noWatermarks(), 'records')
    .keyBy((r) => r.key)
    .sinkTo(new CountingSink(), 'count');
});
