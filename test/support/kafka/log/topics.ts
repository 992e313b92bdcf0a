// The broker's topics: name validation as Kafka's Topic.validate, topic ids, configs,
// creation and deletion.
import { randomBytes } from 'node:crypto';
import { PartitionLog } from './partition-log.ts';
import { TOPIC_CONFIG_DEFAULTS } from './topic-configs.ts';

export interface Topic {
  name: string;
  /** Topic id (KIP-516) as 32 hex digits. */
  id: string;
  partitions: PartitionLog[];
  /** Configs set on the topic; others take their defaults. */
  configs: Map<string, string | null>;
}

/** The topic's value of a config: its own, else the default. */
export function topicConfig(topic: Topic | undefined, name: string): string | undefined {
  return topic?.configs.get(name) ?? TOPIC_CONFIG_DEFAULTS.get(name)?.value;
}

const LEGAL = /^[a-zA-Z0-9._-]+$/;

export function isValidTopicName(name: string): boolean {
  return name.length > 0 && name.length <= 249 && name !== '.' && name !== '..' && LEGAL.test(name);
}

export class TopicStore {
  readonly topics = new Map<string, Topic>();

  constructor(private readonly onChange: () => void) {}

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  byId(id: string): Topic | undefined {
    for (const t of this.topics.values()) if (t.id === id) return t;
    return undefined;
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  create(name: string, partitions: number, configs: Map<string, string | null> = new Map()): Topic {
    const logs: PartitionLog[] = [];
    for (let i = 0; i < partitions; i++) logs.push(new PartitionLog(this.onChange));
    const topic = { name, id: randomBytes(16).toString('hex'), partitions: logs, configs };
    this.topics.set(name, topic);
    return topic;
  }

  addPartitions(name: string, total: number): void {
    const topic = this.topics.get(name);
    while (topic !== undefined && topic.partitions.length < total) topic.partitions.push(new PartitionLog(this.onChange));
  }

  delete(name: string): boolean {
    return this.topics.delete(name);
  }
}
