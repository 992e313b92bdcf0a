// Metadata v6: brokers, controller and topic/partition leadership, auto-creating topics.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { isValidTopicName } from '../log/topics.ts';
import type { Handler } from './context.ts';

interface TopicAnswer {
  error: number;
  name: string;
  partitions: number;
}

export const metadata: Handler = (r, { state }) => {
  const requested = r.nullableArray((x) => x.string());
  const allowAutoCreate = r.bool();
  const { topics, config } = state;
  let answers: TopicAnswer[];
  if (requested === null) {
    answers = [...topics.topics.values()].map((t) => ({ error: ErrorCode.NONE, name: t.name, partitions: t.partitions.length }));
  } else {
    answers = requested.map((name) => {
      const t = topics.get(name);
      if (t !== undefined) return { error: ErrorCode.NONE, name, partitions: t.partitions.length };
      if (!isValidTopicName(name)) return { error: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: 0 };
      if (!allowAutoCreate || !config.autoCreateTopics) return { error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: 0 };
      topics.create(name, config.defaultPartitions);
      // Kafka answers the creating request before leaders are elected.
      return { error: ErrorCode.LEADER_NOT_AVAILABLE, name, partitions: 0 };
    });
  }
  const node = config.nodeId;
  return new Writer()
    .int32(0)
    .array([node], (w) => {
      w.int32(node).string(config.host).int32(state.port).string(null);
    })
    .string(config.clusterId)
    .int32(node)
    .array(answers, (w, t) => {
      w.int16(t.error).string(t.name).bool(false);
      w.array(
        Array.from({ length: t.partitions }, (_, i) => i),
        (pw, p) => {
          pw.int16(ErrorCode.NONE).int32(p).int32(node).array([node], (x, n) => x.int32(n)).array([node], (x, n) => x.int32(n)).array([], () => undefined);
        },
      );
    });
};
