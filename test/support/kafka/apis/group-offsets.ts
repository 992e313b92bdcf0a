// OffsetCommit 2-8 and OffsetFetch 1-8 (one group before v8, a batch of groups from v8;
// require_stable from v7 reports offsets held by open transactions as unstable).
import { ErrorCode } from '../protocol/errors.ts';
import { OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages/groups.ts';
import type { Infer } from '../protocol/schema.ts';
import type { OffsetCommitEntry } from '../groups/offsets.ts';
import { defineApi } from './context.ts';
import type { RequestContext } from './context.ts';

type CommitTopics = Infer<typeof OffsetCommitRequest>['topics'];
type PartitionErrors = Infer<typeof OffsetCommitResponse>['topics'];

/** Topics/partitions/offsets as both OffsetCommit and TxnOffsetCommit lay them out. */
export function commitEntries(topics: CommitTopics): OffsetCommitEntry[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata })));
}

/** Commits offsets for known partitions; unknown ones get UNKNOWN_TOPIC_OR_PARTITION, as in KafkaApis. */
export function commitResponse(ctx: RequestContext, entries: OffsetCommitEntry[], commit: (known: OffsetCommitEntry[]) => number): PartitionErrors {
  const known = entries.filter((e) => ctx.state.topics.partition(e.topic, e.partition) !== undefined);
  const error = ctx.injectedError ?? commit(known);
  const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
  for (const e of entries) {
    const list = byTopic.get(e.topic) ?? [];
    byTopic.set(e.topic, list);
    list.push({ partitionIndex: e.partition, errorCode: known.includes(e) ? error : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}

export const offsetCommit = defineApi('OffsetCommit', OffsetCommitRequest, OffsetCommitResponse, (req, ctx) => ({
  throttleTimeMs: 0,
  topics: commitResponse(ctx, commitEntries(req.topics), (known) => ctx.state.offsets.commit(req.groupId, req.generationId, req.memberId, known)),
}));

type FetchedTopic = Infer<typeof OffsetFetchResponse>['topics'][number];

function fetchGroup(ctx: RequestContext, groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null, requireStable: boolean): FetchedTopic[] {
  const wanted = topics === null ? null : topics.map((t) => ({ topic: t.name, partitions: t.partitionIndexes }));
  return [...ctx.state.offsets.fetch(groupId, wanted)].map(([name, parts]) => ({
    name,
    partitions: [...parts].map(([partitionIndex, e]) => {
      const unstable = requireStable && ctx.state.offsets.hasPending(groupId, name, partitionIndex);
      return {
        partitionIndex,
        committedOffset: unstable ? -1 : e.offset,
        committedLeaderEpoch: -1,
        metadata: unstable ? null : e.metadata,
        errorCode: unstable ? ErrorCode.UNSTABLE_OFFSET_COMMIT : ErrorCode.NONE,
      };
    }),
  }));
}

export const offsetFetch = defineApi('OffsetFetch', OffsetFetchRequest, OffsetFetchResponse, (req, ctx) => {
  if (ctx.apiVersion >= 8) {
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: ErrorCode.NONE,
      groups: req.groups.map((g) =>
        ctx.injectedError !== null
          ? { groupId: g.groupId, topics: [], errorCode: ctx.injectedError }
          : { groupId: g.groupId, topics: fetchGroup(ctx, g.groupId, g.topics, req.requireStable), errorCode: ErrorCode.NONE },
      ),
    };
  }
  if (ctx.injectedError !== null) return { throttleTimeMs: 0, topics: [], errorCode: ctx.injectedError, groups: [] };
  return { throttleTimeMs: 0, topics: fetchGroup(ctx, req.groupId, req.topics, req.requireStable), errorCode: ErrorCode.NONE, groups: [] };
});
