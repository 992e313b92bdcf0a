// CreateTopics 2-7, CreatePartitions 0-3 and DeleteTopics 1-6 (by id from v6) with Kafka's
// validation and error messages.
import { ErrorCode } from '../protocol/errors.ts';
import { isValidTopicName } from '../log/topics.ts';
import { invalidTopicConfig, TOPIC_CONFIG_DEFAULTS } from '../log/topic-configs.ts';
import {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../protocol/messages/admin.ts';
import type { Infer } from '../protocol/schema.ts';
import { defineApi } from './context.ts';

type Created = Infer<typeof CreateTopicsResponse>['topics'][number];

const ZERO_ID = '0'.repeat(32);
/** ConfigSource values reported by CreateTopics v5+. */
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

export const createTopics = defineApi('CreateTopics', CreateTopicsRequest, CreateTopicsResponse, (req, { state }) => {
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const topics = req.topics.map((t): Created => {
    const fail = (errorCode: number, errorMessage: string): Created => ({
      name: t.name,
      topicId: ZERO_ID,
      errorCode,
      errorMessage,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    });
    if ((seen.get(t.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, `Create topics request from client contains duplicate topic ${t.name}.`);
    if (!isValidTopicName(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${t.name}" is illegal.`);
    if (state.topics.get(t.name) !== undefined) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
    const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? state.config.defaultPartitions : t.numPartitions;
    if (partitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    const rf = t.replicationFactor === -1 ? 1 : t.replicationFactor;
    if (rf <= 0) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (rf > 1) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${rf} larger than available brokers: 1.`);
    for (const c of t.configs) {
      const why = invalidTopicConfig(c.name, c.value);
      if (why !== null) return fail(ErrorCode.INVALID_CONFIG, why);
    }
    const configs = new Map(t.configs.map((c) => [c.name, c.value]));
    const topicId = req.validateOnly ? ZERO_ID : state.topics.create(t.name, partitions, configs).id;
    return {
      name: t.name,
      topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: partitions,
      replicationFactor: rf,
      configs: [...TOPIC_CONFIG_DEFAULTS].map(([name, def]) => {
        const own = configs.get(name);
        return {
          name,
          value: own ?? def.value,
          readOnly: false,
          configSource: own === undefined ? DEFAULT_CONFIG : DYNAMIC_TOPIC_CONFIG,
          isSensitive: false,
        };
      }),
    };
  });
  return { throttleTimeMs: 0, topics };
});

export const deleteTopics = defineApi('DeleteTopics', DeleteTopicsRequest, DeleteTopicsResponse, (req, { state, apiVersion }) => {
  const targets = apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_ID }));
  return {
    throttleTimeMs: 0,
    responses: targets.map((t) => {
      const topic = t.name !== null ? state.topics.get(t.name) : state.topics.byId(t.topicId);
      if (topic === undefined) {
        const byId = t.name === null;
        return {
          name: t.name,
          topicId: t.topicId,
          errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: byId ? null : 'This server does not host this topic-partition.',
        };
      }
      state.topics.delete(topic.name);
      state.offsets.deleteTopic(topic.name);
      return { name: topic.name, topicId: topic.id, errorCode: ErrorCode.NONE, errorMessage: null };
    }),
  };
});

export const createPartitions = defineApi('CreatePartitions', CreatePartitionsRequest, CreatePartitionsResponse, (req, { state }) => ({
  throttleTimeMs: 0,
  results: req.topics.map((t) => {
    const fail = (errorCode: number, errorMessage: string): { name: string; errorCode: number; errorMessage: string | null } => ({ name: t.name, errorCode, errorMessage });
    const current = state.topics.get(t.name)?.partitions.length;
    if (current === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.name}' does not exist.`);
    if (t.count === current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    if (t.count < current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${t.count}.`);
    const added = t.count - current;
    if (t.assignments !== null && t.assignments.length > 0 && t.assignments.length !== added) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${added} but ${t.assignments.length} assignments provided.`);
    }
    if (!req.validateOnly) state.topics.addPartitions(t.name, t.count);
    return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null };
  }),
}));
