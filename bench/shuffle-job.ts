/**
 * The job the cluster shuffle benchmark runs: generated records hashed by key across
 * TaskManagers into a sink that counts and checksums what it receives. Each sink subtask
 * hands its totals to the job result at close, so the benchmark can check that every
 * record sent arrived exactly once.
 */
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import type { Sink, SinkWriter, SinkWriterContext } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';
import { finishHash, mixHash } from '../src/connectors/nexmark/index.ts';

export interface ShuffleRecord {
  key: number;
  value: number;
}

/** What one sink subtask received. */
export interface ReceivedTotals {
  subtask: number;
  count: number;
  /** Sum of recordHash(value) mod 2^32: independent of arrival order and of the subtask. */
  checksum: number;
}

export const RECEIVED = 'received';

export function recordHash(value: number): number {
  return finishHash(mixHash(0x5eed, value));
}

/** The count and checksum of records 0 .. records-1, what the sinks together must report. */
export function expectedTotals(records: number): { count: number; checksum: number } {
  let checksum = 0;
  for (let i = 0; i < records; i++) checksum = (checksum + recordHash(i)) >>> 0;
  return { count: records, checksum };
}

class CountingSink implements Sink<ShuffleRecord> {
  createWriter(ctx: SinkWriterContext): SinkWriter<ShuffleRecord> {
    let count = 0;
    let checksum = 0;
    return {
      write(values) {
        count += values.length;
        for (let i = 0; i < values.length; i++) checksum = (checksum + recordHash(values[i]!.value)) >>> 0;
      },
      close() {
        const totals: ReceivedTotals = { subtask: ctx.subtaskIndex, count, checksum };
        ctx.addToResult(RECEIVED, [totals]);
      },
    };
  }
}

export default defineJob((env, args) => {
  env.setJobName('shuffle-bench');
  env
    .fromSource(new DataGeneratorSource((i): ShuffleRecord => ({ key: i % 1000, value: i }), Number(args.records ?? 2_000_000)), WatermarkStrategy.noWatermarks(), 'records')
    .keyBy((r) => r.key)
    .sinkTo(new CountingSink(), 'count');
});
