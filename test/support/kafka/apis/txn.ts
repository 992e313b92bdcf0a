// InitProducerId v1, AddPartitionsToTxn v1, AddOffsetsToTxn v1, EndTxn v1, TxnOffsetCommit v1.
import { Writer } from '../protocol/writer.ts';
import { tpKey } from '../groups/group.ts';
import { commitResponse, readCommitTopics } from './group-offsets.ts';
import type { Handler } from './context.ts';

export const initProducerId: Handler = (r, ctx) => {
  const transactionalId = r.nullableString();
  const timeoutMs = r.int32();
  const res =
    ctx.injectedError !== null
      ? { error: ctx.injectedError, producerId: -1, producerEpoch: -1 }
      : ctx.state.txns.initProducerId(transactionalId, timeoutMs);
  return new Writer().int32(0).int16(res.error).int64(res.producerId).int16(res.producerEpoch);
};

export const addPartitionsToTxn: Handler = (r, ctx) => {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const topics = r.array((x) => ({ name: x.string(), partitions: x.array((p) => p.int32()) }));
  const errors = ctx.state.txns.addPartitions(transactionalId, producerId, epoch, topics);
  return new Writer().int32(0).array(topics, (w, t) => {
    w.string(t.name).array(t.partitions, (pw, p) => {
      pw.int32(p).int16(ctx.injectedError ?? errors.get(tpKey(t.name, p)) ?? 0);
    });
  });
};

export const addOffsetsToTxn: Handler = (r, ctx) => {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const groupId = r.string();
  const error = ctx.injectedError ?? ctx.state.txns.addOffsets(transactionalId, producerId, epoch, groupId);
  return new Writer().int32(0).int16(error);
};

export const endTxn: Handler = (r, ctx) => {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const commit = r.bool();
  const error = ctx.injectedError ?? ctx.state.txns.endTxn(transactionalId, producerId, epoch, commit);
  return new Writer().int32(0).int16(error);
};

export const txnOffsetCommit: Handler = (r, ctx) => {
  const transactionalId = r.string();
  const groupId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const entries = readCommitTopics(r);
  return commitResponse(ctx, entries, (known) => ctx.state.txns.txnOffsetCommit(transactionalId, groupId, producerId, epoch, known));
};
