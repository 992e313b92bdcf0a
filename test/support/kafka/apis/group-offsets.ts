// OffsetCommit v5 and OffsetFetch v4.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { OffsetCommitEntry } from '../groups/offsets.ts';
import type { Reader } from '../protocol/reader.ts';
import type { Handler, RequestContext } from './context.ts';

/** Topics/partitions/offsets as both OffsetCommit v5 and TxnOffsetCommit v1 lay them out. */
export function readCommitTopics(r: Reader): OffsetCommitEntry[] {
  return r
    .array((x) => {
      const topic = x.string();
      return x.array((p) => ({ topic, partition: p.int32(), offset: p.int64(), metadata: p.nullableString() }));
    })
    .flat();
}

/** Commits offsets for known partitions; unknown ones get UNKNOWN_TOPIC_OR_PARTITION, as in KafkaApis. */
export function commitResponse(ctx: RequestContext, entries: OffsetCommitEntry[], commit: (known: OffsetCommitEntry[]) => number): Writer {
  const known = entries.filter((e) => ctx.state.topics.partition(e.topic, e.partition) !== undefined);
  const error = ctx.injectedError ?? commit(known);
  const byTopic = new Map<string, { partition: number; error: number }[]>();
  for (const e of entries) {
    const list = byTopic.get(e.topic) ?? [];
    byTopic.set(e.topic, list);
    list.push({ partition: e.partition, error: known.includes(e) ? error : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
  }
  return new Writer().int32(0).array([...byTopic], (w, [topic, parts]) => {
    w.string(topic).array(parts, (pw, p) => {
      pw.int32(p.partition).int16(p.error);
    });
  });
}

export const offsetCommit: Handler = (r, ctx) => {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  const entries = readCommitTopics(r);
  return commitResponse(ctx, entries, (known) => ctx.state.offsets.commit(groupId, generationId, memberId, known));
};

export const offsetFetch: Handler = (r, ctx) => {
  const groupId = r.string();
  const topics = r.nullableArray((x) => ({ topic: x.string(), partitions: x.array((p) => p.int32()) }));
  const w = new Writer().int32(0);
  if (ctx.injectedError !== null) return w.array([], () => undefined).int16(ctx.injectedError);
  const offsets = ctx.state.offsets.fetch(groupId, topics);
  return w
    .array([...offsets], (tw, [topic, parts]) => {
      tw.string(topic).array([...parts], (pw, [partition, e]) => {
        pw.int32(partition).int64(e.offset).string(e.metadata).int16(ErrorCode.NONE);
      });
    })
    .int16(ErrorCode.NONE);
};
