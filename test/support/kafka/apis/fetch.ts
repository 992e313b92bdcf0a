// Fetch 4-13: whole stored batches (compressed or not, as produced) from the fetch offset up
// to the high watermark, or the last stable offset under read_committed with the aborted
// transactions in range; parks until min_bytes are available or max_wait elapses. Topics are
// named until v12 and given by id from v13. Fetch sessions are never created: the broker
// answers session id 0, as a Kafka broker whose session cache is full, so clients keep
// sending full fetches.
import { ErrorCode } from '../protocol/errors.ts';
import { FetchRequest, FetchResponse } from '../protocol/messages/records.ts';
import type { Infer } from '../protocol/schema.ts';
import { defineApi } from './context.ts';
import type { RequestContext } from './context.ts';

type Request = Infer<typeof FetchRequest>;
type TopicAnswer = Infer<typeof FetchResponse>['responses'][number];
type PartitionAnswer = TopicAnswer['partitions'][number];

const READ_COMMITTED = 1;
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;

interface Collected {
  answers: TopicAnswer[];
  bytes: number;
  hasError: boolean;
}

function failed(partitionIndex: number, errorCode: number): PartitionAnswer {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: [],
  };
}

function collect(ctx: RequestContext, req: Request): Collected {
  let bytes = 0;
  let hasError = false;
  const byId = ctx.apiVersion >= 13;
  const answers = req.topics.map((t): TopicAnswer => {
    const topic = byId ? ctx.state.topics.byId(t.topicId) : ctx.state.topics.get(t.topic);
    const partitions = t.partitions.map((p): PartitionAnswer => {
      const log = topic?.partitions[p.partition];
      let error = ctx.injectedError;
      if (error === null && log === undefined) error = byId && topic === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      // One replica that never changes leader: its leader epoch stays 0.
      if (error === null && p.currentLeaderEpoch > 0) error = ErrorCode.UNKNOWN_LEADER_EPOCH;
      if (error !== null || log === undefined) {
        hasError = true;
        return failed(p.partition, error ?? ErrorCode.NONE);
      }
      const base = { partitionIndex: p.partition, highWatermark: log.highWatermark, lastStableOffset: log.lastStableOffset, logStartOffset: log.logStartOffset, preferredReadReplica: -1 };
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.nextOffset) {
        hasError = true;
        return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, abortedTransactions: null, records: [] };
      }
      const limit = req.isolationLevel === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
      const batches = log.read(p.fetchOffset, Math.min(p.partitionMaxBytes, req.maxBytes - bytes), limit, bytes === 0);
      for (const b of batches) bytes += b.data.length;
      const last = batches.at(-1);
      let aborted = null;
      if (req.isolationLevel === READ_COMMITTED) aborted = last === undefined ? [] : log.abortedBetween(p.fetchOffset, last.lastOffset);
      return { ...base, errorCode: ErrorCode.NONE, abortedTransactions: aborted, records: batches.map((b) => b.data) };
    });
    return { topic: topic?.name ?? t.topic, topicId: t.topicId, partitions };
  });
  return { answers, bytes, hasError };
}

export const fetch = defineApi('Fetch', FetchRequest, FetchResponse, async (req, ctx) => {
  const sessionError = (errorCode: number): Infer<typeof FetchResponse> => ({ throttleTimeMs: 0, errorCode, sessionId: 0, responses: [] });
  if (req.sessionId !== 0) return sessionError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  if (req.sessionEpoch !== INITIAL_EPOCH && req.sessionEpoch !== FINAL_EPOCH) return sessionError(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  const deadline = Date.now() + req.maxWaitMs;
  let result = collect(ctx, req);
  while (result.bytes < req.minBytes && !result.hasError && Date.now() < deadline && !ctx.isClosed()) {
    await ctx.state.waitForChange(deadline - Date.now());
    result = collect(ctx, req);
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.answers };
});
