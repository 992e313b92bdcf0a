// Fetch v11 (sessionless): whole batches from the fetch offset up to the high watermark, or
// the last stable offset under read_committed with the aborted transactions in range; parks
// until min_bytes are available or max_wait elapses.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { AbortedTxn } from '../log/partition-log.ts';
import type { Handler, RequestContext } from './context.ts';

const READ_COMMITTED = 1;

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

interface PartitionAnswer {
  partition: number;
  error: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  aborted: AbortedTxn[] | null;
  records: Buffer[];
}

interface Collected {
  answers: { topic: string; partitions: PartitionAnswer[] }[];
  bytes: number;
  hasError: boolean;
}

function collect(ctx: RequestContext, topics: { topic: string; partitions: FetchPartition[] }[], maxBytes: number, isolation: number): Collected {
  let bytes = 0;
  let hasError = false;
  const answers = topics.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map((p): PartitionAnswer => {
      const log = ctx.state.topics.partition(topic, p.partition);
      const error = ctx.injectedError ?? (log === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : null);
      if (error !== null || log === undefined) {
        hasError = true;
        return { partition: p.partition, error: error ?? 0, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, aborted: null, records: [] };
      }
      const base = { partition: p.partition, highWatermark: log.highWatermark, lastStableOffset: log.lastStableOffset, logStartOffset: log.logStartOffset };
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.nextOffset) {
        hasError = true;
        return { ...base, error: ErrorCode.OFFSET_OUT_OF_RANGE, aborted: null, records: [] };
      }
      const limit = isolation === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
      const batches = log.read(p.fetchOffset, Math.min(p.maxBytes, maxBytes - bytes), limit, bytes === 0);
      for (const b of batches) bytes += b.data.length;
      const last = batches.at(-1);
      let aborted: AbortedTxn[] | null = null;
      if (isolation === READ_COMMITTED) aborted = last === undefined ? [] : log.abortedBetween(p.fetchOffset, last.lastOffset);
      return { ...base, error: ErrorCode.NONE, aborted, records: batches.map((b) => b.data) };
    }),
  }));
  return { answers, bytes, hasError };
}

export const fetch: Handler = async (r, ctx) => {
  r.int32(); // replica id: always a consumer here
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  const isolation = r.int8();
  r.int32(); // session id and epoch: kafkajs uses full, sessionless fetches (epoch -1)
  r.int32();
  const topics = r.array((x) => ({
    topic: x.string(),
    partitions: x.array((p) => {
      const partition = p.int32();
      p.int32(); // current leader epoch
      const fetchOffset = p.int64();
      p.int64(); // follower log start offset
      return { partition, fetchOffset, maxBytes: p.int32() };
    }),
  }));
  r.array((x) => [x.string(), x.array((p) => p.int32())]);
  r.string(); // rack id

  const deadline = Date.now() + maxWaitMs;
  let result = collect(ctx, topics, maxBytes, isolation);
  while (result.bytes < minBytes && !result.hasError && Date.now() < deadline && !ctx.isClosed()) {
    await ctx.state.waitForChange(deadline - Date.now());
    result = collect(ctx, topics, maxBytes, isolation);
  }
  return new Writer()
    .int32(0)
    .int16(ErrorCode.NONE)
    .int32(0)
    .array(result.answers, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, p) => {
        pw.int32(p.partition).int16(p.error).int64(p.highWatermark).int64(p.lastStableOffset).int64(p.logStartOffset);
        pw.array(p.aborted, (aw, a) => {
          aw.int64(a.producerId).int64(a.firstOffset);
        });
        pw.int32(-1);
        const size = p.records.reduce((n, b) => n + b.length, 0);
        pw.int32(size);
        for (const b of p.records) pw.raw(b);
      });
    });
};
