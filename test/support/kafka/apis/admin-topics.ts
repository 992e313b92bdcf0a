// CreateTopics v3, CreatePartitions v1 and DeleteTopics v1 with Kafka's validation and error messages.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { isValidTopicName } from '../log/topics.ts';
import type { Handler } from './context.ts';

interface CreateAnswer {
  name: string;
  error: number;
  message: string | null;
}

export const createTopics: Handler = (r, { state }) => {
  const requests = r.array((x) => ({
    name: x.string(),
    numPartitions: x.int32(),
    replicationFactor: x.int16(),
    assignments: x.array((a) => ({ partition: a.int32(), brokers: a.array((b) => b.int32()) })),
    configs: x.array((c) => [c.string(), c.nullableString()] as const),
  }));
  r.int32(); // timeout: creation is immediate on a single broker
  const validateOnly = r.bool();
  const seen = new Map<string, number>();
  for (const t of requests) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  const answers = requests.map((t): CreateAnswer => {
    const fail = (error: number, message: string): CreateAnswer => ({ name: t.name, error, message });
    if ((seen.get(t.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, `Create topics request from client contains duplicate topic ${t.name}.`);
    if (!isValidTopicName(t.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic name "${t.name}" is illegal.`);
    if (state.topics.get(t.name) !== undefined) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
    const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? state.config.defaultPartitions : t.numPartitions;
    if (partitions <= 0) return fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    const rf = t.replicationFactor === -1 ? 1 : t.replicationFactor;
    if (rf <= 0) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (rf > 1) return fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${rf} larger than available brokers: 1.`);
    if (!validateOnly) state.topics.create(t.name, partitions, new Map(t.configs));
    return { name: t.name, error: ErrorCode.NONE, message: null };
  });
  return new Writer().int32(0).array(answers, (w, a) => {
    w.string(a.name).int16(a.error).string(a.message);
  });
};

export const deleteTopics: Handler = (r, { state }) => {
  const names = r.array((x) => x.string());
  r.int32();
  return new Writer().int32(0).array(names, (w, name) => {
    const deleted = state.topics.delete(name);
    if (deleted) state.offsets.deleteTopic(name);
    w.string(name).int16(deleted ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
};

export const createPartitions: Handler = (r, { state }) => {
  const requests = r.array((x) => ({
    topic: x.string(),
    count: x.int32(),
    assignments: x.nullableArray((a) => a.nullableArray((b) => b.int32())),
  }));
  r.int32();
  const validateOnly = r.bool();
  const answers = requests.map((t): CreateAnswer => {
    const fail = (error: number, message: string): CreateAnswer => ({ name: t.topic, error, message });
    const current = state.topics.get(t.topic)?.partitions.length;
    if (current === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${t.topic}' does not exist.`);
    if (t.count === current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    if (t.count < current) return fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${t.count}.`);
    const added = t.count - current;
    if (t.assignments !== null && t.assignments.length > 0 && t.assignments.length !== added) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${added} but ${t.assignments.length} assignments provided.`);
    }
    if (!validateOnly) state.topics.addPartitions(t.topic, t.count);
    return { name: t.topic, error: ErrorCode.NONE, message: null };
  });
  return new Writer().int32(0).array(answers, (w, a) => {
    w.string(a.name).int16(a.error).string(a.message);
  });
};
