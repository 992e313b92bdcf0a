// Produce, Fetch and ListOffsets request/response layouts (Kafka's Produce*, Fetch* and
// ListOffsets* message definitions, within the served range).
import { f, struct, t } from '../schema.ts';

export const ProduceRequest = struct({
  transactionalId: f.nullableString('3+'),
  acks: f.int16('0+'),
  timeoutMs: f.int32('0+'),
  topicData: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      partitionData: f.array('0+', struct({ index: f.int32('0+'), records: f.records('0+') })),
    }),
  ),
});

export const ProduceResponse = struct({
  responses: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      partitionResponses: f.array(
        '0+',
        struct({
          index: f.int32('0+'),
          errorCode: f.int16('0+'),
          baseOffset: f.int64('0+'),
          logAppendTimeMs: f.int64('2+'),
          logStartOffset: f.int64('5+'),
          recordErrors: f.array('8+', struct({ batchIndex: f.int32('8+'), batchIndexErrorMessage: f.nullableString('8+') })),
          errorMessage: f.nullableString('8+'),
        }),
      ),
    }),
  ),
  throttleTimeMs: f.int32('1+'),
});

export const FetchRequest = struct({
  replicaId: f.int32('0-14', -1),
  maxWaitMs: f.int32('0+'),
  minBytes: f.int32('0+'),
  maxBytes: f.int32('3+', 0x7fffffff),
  isolationLevel: f.int8('4+'),
  sessionId: f.int32('7+'),
  sessionEpoch: f.int32('7+', -1),
  topics: f.array(
    '0+',
    struct({
      topic: f.string('0-12'),
      topicId: f.uuid('13+'),
      partitions: f.array(
        '0+',
        struct({
          partition: f.int32('0+'),
          currentLeaderEpoch: f.int32('9+', -1),
          fetchOffset: f.int64('0+'),
          lastFetchedEpoch: f.int32('12+', -1),
          logStartOffset: f.int64('5+', -1),
          partitionMaxBytes: f.int32('0+'),
        }),
      ),
    }),
  ),
  forgottenTopicsData: f.array('7+', struct({ topic: f.string('7-12'), topicId: f.uuid('13+'), partitions: f.array('7+', t.int32) })),
  rackId: f.string('11+'),
});

export const FetchResponse = struct({
  throttleTimeMs: f.int32('1+'),
  errorCode: f.int16('7+'),
  sessionId: f.int32('7+'),
  responses: f.array(
    '0+',
    struct({
      topic: f.string('0-12'),
      topicId: f.uuid('13+'),
      partitions: f.array(
        '0+',
        struct({
          partitionIndex: f.int32('0+'),
          errorCode: f.int16('0+'),
          highWatermark: f.int64('0+'),
          lastStableOffset: f.int64('4+'),
          logStartOffset: f.int64('5+'),
          abortedTransactions: f.nullableArray('4+', struct({ producerId: f.int64('4+'), firstOffset: f.int64('4+') })),
          preferredReadReplica: f.int32('11+'),
          records: f.records('0+'),
        }),
      ),
    }),
  ),
});

export const ListOffsetsRequest = struct({
  replicaId: f.int32('0+'),
  isolationLevel: f.int8('2+'),
  topics: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      partitions: f.array('0+', struct({ partitionIndex: f.int32('0+'), currentLeaderEpoch: f.int32('4+', -1), timestamp: f.int64('0+') })),
    }),
  ),
});

export const ListOffsetsResponse = struct({
  throttleTimeMs: f.int32('2+'),
  topics: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      partitions: f.array(
        '0+',
        struct({
          partitionIndex: f.int32('0+'),
          errorCode: f.int16('0+'),
          timestamp: f.int64('1+'),
          offset: f.int64('1+'),
          leaderEpoch: f.int32('4+'),
        }),
      ),
    }),
  ),
});
