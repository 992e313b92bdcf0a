// The broker's topics: name validation as Kafka's Topic.validate, creation and deletion.
import { randomUUID } from 'node:crypto';
import { PartitionLog } from './partition-log.ts';

export interface Topic {
  name: string;
  id: string;
  partitions: PartitionLog[];
  configs: Map<string, string | null>;
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

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  create(name: string, partitions: number, configs: Map<string, string | null> = new Map()): Topic {
    const logs: PartitionLog[] = [];
    for (let i = 0; i < partitions; i++) logs.push(new PartitionLog(this.onChange));
    const topic = { name, id: randomUUID(), partitions: logs, configs };
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
