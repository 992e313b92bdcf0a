// Topic administration request/response layouts: CreateTopics, DeleteTopics and
// CreatePartitions (Kafka's message definitions, within the served range).
import { f, struct, t } from '../schema.ts';

export const CreateTopicsRequest = struct({
  topics: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      numPartitions: f.int32('0+'),
      replicationFactor: f.int16('0+'),
      assignments: f.array('0+', struct({ partitionIndex: f.int32('0+'), brokerIds: f.array('0+', t.int32) })),
      configs: f.array('0+', struct({ name: f.string('0+'), value: f.nullableString('0+') })),
    }),
  ),
  timeoutMs: f.int32('0+'),
  validateOnly: f.bool('1+'),
});

export const CreateTopicsResponse = struct({
  throttleTimeMs: f.int32('2+'),
  topics: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      topicId: f.uuid('7+'),
      errorCode: f.int16('0+'),
      errorMessage: f.nullableString('1+'),
      numPartitions: f.int32('5+'),
      replicationFactor: f.int16('5+'),
      configs: f.nullableArray(
        '5+',
        struct({
          name: f.string('5+'),
          value: f.nullableString('5+'),
          readOnly: f.bool('5+'),
          configSource: f.int8('5+'),
          isSensitive: f.bool('5+'),
        }),
      ),
    }),
  ),
});

export const DeleteTopicsRequest = struct({
  topics: f.array('6+', struct({ name: f.nullableString('6+'), topicId: f.uuid('6+') })),
  topicNames: f.array('0-5', t.string),
  timeoutMs: f.int32('0+'),
});

export const DeleteTopicsResponse = struct({
  throttleTimeMs: f.int32('1+'),
  responses: f.array(
    '0+',
    struct({
      name: f.nullableString('0+', '6+'),
      topicId: f.uuid('6+'),
      errorCode: f.int16('0+'),
      errorMessage: f.nullableString('5+'),
    }),
  ),
});

export const CreatePartitionsRequest = struct({
  topics: f.array(
    '0+',
    struct({
      name: f.string('0+'),
      count: f.int32('0+'),
      assignments: f.nullableArray('0+', struct({ brokerIds: f.array('0+', t.int32) })),
    }),
  ),
  timeoutMs: f.int32('0+'),
  validateOnly: f.bool('0+'),
});

export const CreatePartitionsResponse = struct({
  throttleTimeMs: f.int32('0+'),
  results: f.array('0+', struct({ name: f.string('0+'), errorCode: f.int16('0+'), errorMessage: f.nullableString('0+') })),
});
