// Metadata 1-12: brokers, controller, topic ids and partition leadership; topics are found by
// name (or by id from v10), auto-created when allowed, and null asks for every topic.
import { ErrorCode } from '../protocol/errors.ts';
import { isValidTopicName } from '../log/topics.ts';
import type { Topic } from '../log/topics.ts';
import { MetadataRequest, MetadataResponse } from '../protocol/messages/core.ts';
import type { Infer } from '../protocol/schema.ts';
import { defineApi } from './context.ts';

type TopicAnswer = Infer<typeof MetadataResponse>['topics'][number];

const ZERO_ID = '0'.repeat(32);
/** Kafka reports "not requested" authorized operations as Integer.MIN_VALUE. */
const NOT_REQUESTED = -2147483648;
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS: all allowed without an authorizer. */
const ALL_TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((m, op) => m | (1 << op), 0);

export const metadata = defineApi('Metadata', MetadataRequest, MetadataResponse, (req, { state }) => {
  const { topics, config } = state;
  const node = config.nodeId;
  const ops = req.includeTopicAuthorizedOperations ? ALL_TOPIC_OPERATIONS : NOT_REQUESTED;
  const described = (t: Topic): TopicAnswer => ({
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: false,
    partitions: t.partitions.map((_, i) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: i,
      leaderId: node,
      leaderEpoch: 0,
      replicaNodes: [node],
      isrNodes: [node],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: ops,
  });
  const failed = (errorCode: number, name: string | null, topicId = ZERO_ID): TopicAnswer => ({
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: ops,
  });
  const answers =
    req.topics === null
      ? [...topics.topics.values()].map(described)
      : req.topics.map((q): TopicAnswer => {
          if (q.name === null) {
            const byId = topics.byId(q.topicId);
            return byId === undefined ? failed(ErrorCode.UNKNOWN_TOPIC_ID, null, q.topicId) : described(byId);
          }
          const t = topics.get(q.name);
          if (t !== undefined) return described(t);
          if (!isValidTopicName(q.name)) return failed(ErrorCode.INVALID_TOPIC_EXCEPTION, q.name);
          if (!req.allowAutoTopicCreation || !config.autoCreateTopics) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, q.name);
          const created = topics.create(q.name, config.defaultPartitions);
          // Kafka answers the creating request before leaders are elected.
          return failed(ErrorCode.LEADER_NOT_AVAILABLE, q.name, created.id);
        });
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: node, host: config.host, port: state.port, rack: null }],
    clusterId: config.clusterId,
    controllerId: node,
    topics: answers,
    clusterAuthorizedOperations: NOT_REQUESTED,
  };
});
