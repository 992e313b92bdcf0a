// InitProducerId 0-4, AddPartitionsToTxn 0-3, AddOffsetsToTxn 0-3, EndTxn 0-3 and
// TxnOffsetCommit 0-3 (which from v3 carries the consumer's generation, checked as in KIP-447).
import { ErrorCode } from '../protocol/errors.ts';
import { tpKey } from '../groups/group.ts';
import {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  EndTxnRequest,
  ErrorOnlyResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from '../protocol/messages/txn.ts';
import { commitEntries, commitResponse } from './group-offsets.ts';
import { defineApi } from './context.ts';

export const initProducerId = defineApi('InitProducerId', InitProducerIdRequest, InitProducerIdResponse, (req, ctx) => {
  const res =
    ctx.injectedError !== null
      ? { error: ctx.injectedError, producerId: -1, producerEpoch: -1 }
      : ctx.state.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch);
  // PRODUCER_FENCED exists from v4; older clients know it as INVALID_PRODUCER_EPOCH.
  const errorCode = res.error === ErrorCode.PRODUCER_FENCED && ctx.apiVersion < 4 ? ErrorCode.INVALID_PRODUCER_EPOCH : res.error;
  return { throttleTimeMs: 0, errorCode, producerId: res.producerId, producerEpoch: res.producerEpoch };
});

export const addPartitionsToTxn = defineApi('AddPartitionsToTxn', AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, (req, ctx) => {
  const errors = ctx.state.txns.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, req.topics);
  return {
    throttleTimeMs: 0,
    results: req.topics.map((t) => ({
      name: t.name,
      results: t.partitions.map((p) => ({ partitionIndex: p, errorCode: ctx.injectedError ?? errors.get(tpKey(t.name, p)) ?? ErrorCode.NONE })),
    })),
  };
});

export const addOffsetsToTxn = defineApi('AddOffsetsToTxn', AddOffsetsToTxnRequest, ErrorOnlyResponse, (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: ctx.injectedError ?? ctx.state.txns.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId),
}));

export const endTxn = defineApi('EndTxn', EndTxnRequest, ErrorOnlyResponse, (req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: ctx.injectedError ?? ctx.state.txns.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed),
}));

export const txnOffsetCommit = defineApi('TxnOffsetCommit', TxnOffsetCommitRequest, TxnOffsetCommitResponse, (req, ctx) => ({
  throttleTimeMs: 0,
  topics: commitResponse(ctx, commitEntries(req.topics), (known) => {
    const memberError = ctx.state.groups.checkGeneration(req.groupId, req.generationId, req.memberId);
    if (memberError !== ErrorCode.NONE) return memberError;
    return ctx.state.txns.txnOffsetCommit(req.transactionalId, req.groupId, req.producerId, req.producerEpoch, known);
  }),
}));
