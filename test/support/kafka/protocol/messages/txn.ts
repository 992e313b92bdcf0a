// Transaction request/response layouts: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn,
// EndTxn and TxnOffsetCommit (Kafka's message definitions, within the served range).
import { f, struct, t } from '../schema.ts';

export const InitProducerIdRequest = struct({
  transactionalId: f.nullableString('0+'),
  transactionTimeoutMs: f.int32('0+'),
  producerId: f.int64('3+', -1),
  producerEpoch: f.int16('3+', -1),
});

export const InitProducerIdResponse = struct({
  throttleTimeMs: f.int32('0+'),
  errorCode: f.int16('0+'),
  producerId: f.int64('0+'),
  producerEpoch: f.int16('0+'),
});

export const AddPartitionsToTxnRequest = struct({
  transactionalId: f.string('0-3'),
  producerId: f.int64('0-3'),
  producerEpoch: f.int16('0-3'),
  topics: f.array('0-3', struct({ name: f.string('0+'), partitions: f.array('0+', t.int32) })),
});

export const AddPartitionsToTxnResponse = struct({
  throttleTimeMs: f.int32('0+'),
  results: f.array(
    '0-3',
    struct({
      name: f.string('0+'),
      results: f.array('0+', struct({ partitionIndex: f.int32('0+'), errorCode: f.int16('0+') })),
    }),
  ),
});

export const AddOffsetsToTxnRequest = struct({
  transactionalId: f.string('0+'),
  producerId: f.int64('0+'),
  producerEpoch: f.int16('0+'),
  groupId: f.string('0+'),
});

export const ErrorOnlyResponse = struct({ throttleTimeMs: f.int32('0+'), errorCode: f.int16('0+') });

export const EndTxnRequest = struct({
  transactionalId: f.string('0+'),
  producerId: f.int64('0+'),
  producerEpoch: f.int16('0+'),
  committed: f.bool('0+'),
});

export const TxnOffsetCommitRequest = struct({
  transactionalId: f.string('0+'),
  groupId: f.string('0+'),
  producerId: f.int64('0+'),
  producerEpoch: f.int16('0+'),
  generationId: f.int32('3+', -1),
  memberId: f.string('3+'),
  groupInstanceId: f.nullableString('3+'),
  topics: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      partitions: f.array(
        '0+',
        struct({
          partitionIndex: f.int32('0+'),
          committedOffset: f.int64('0+'),
          committedLeaderEpoch: f.int32('2+', -1),
          committedMetadata: f.nullableString('0+'),
        }),
      ),
    }),
  ),
});

export const TxnOffsetCommitResponse = struct({
  throttleTimeMs: f.int32('0+'),
  topics: f.array(
    '0+',
    struct({ name: f.string('0+'), partitions: f.array('0+', struct({ partitionIndex: f.int32('0+'), errorCode: f.int16('0+') })) }),
  ),
});
