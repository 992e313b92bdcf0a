// ListOffsets 1-7: earliest (-2), latest (-1; the last stable offset under read_committed),
// the record with the largest timestamp (-3, v7, KIP-734) or the first offset at or after a
// timestamp. Timestamp lookups decompress batches of every codec.
import { ErrorCode } from '../protocol/errors.ts';
import { ListOffsetsRequest, ListOffsetsResponse } from '../protocol/messages/records.ts';
import type { Infer } from '../protocol/schema.ts';
import type { PartitionLog } from '../log/partition-log.ts';
import { defineApi } from './context.ts';

type PartitionAnswer = Infer<typeof ListOffsetsResponse>['topics'][number]['partitions'][number];

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const READ_COMMITTED = 1;

function lookup(log: PartitionLog, timestamp: number, isolation: number, version: number): { error: number; timestamp: number; offset: number } {
  const limit = isolation === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
  if (timestamp === LATEST) return { error: ErrorCode.NONE, timestamp: -1, offset: limit };
  if (timestamp === EARLIEST) return { error: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset };
  if (timestamp === MAX_TIMESTAMP && version < 7) return { error: ErrorCode.UNSUPPORTED_VERSION, timestamp: -1, offset: -1 };
  const found = timestamp === MAX_TIMESTAMP ? log.offsetForMaxTimestamp(limit) : log.offsetForTimestamp(timestamp, limit);
  return { error: ErrorCode.NONE, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 };
}

export const listOffsets = defineApi('ListOffsets', ListOffsetsRequest, ListOffsetsResponse, (req, { state, injectedError, apiVersion }) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionAnswer => {
      const log = state.topics.partition(t.name, p.partitionIndex);
      const fail = (errorCode: number): PartitionAnswer => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 });
      if (injectedError !== null) return fail(injectedError);
      if (log === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (p.currentLeaderEpoch > 0) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
      const res = lookup(log, p.timestamp, req.isolationLevel, apiVersion);
      return { partitionIndex: p.partitionIndex, errorCode: res.error, timestamp: res.timestamp, offset: res.offset, leaderEpoch: res.offset >= 0 ? 0 : -1 };
    }),
  })),
}));
