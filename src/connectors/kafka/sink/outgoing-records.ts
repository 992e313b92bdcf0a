/** A batch of stream values as Kafka records, with the partitioner applied (it needs each topic's partition count, looked up once). */
import { WeirError } from '../../../errors/index.ts';
import type { KafkaClient } from '../client/kafka-client.ts';
import type { OutgoingRecord } from '../client/types.ts';
import type { KafkaRecordSerializer } from './record-serializer.ts';

export class OutgoingRecords<T> {
  private readonly partitionCounts = new Map<string, number>();

  constructor(
    private readonly serializer: KafkaRecordSerializer<T>,
    private readonly client: KafkaClient,
  ) {}

  async of(values: readonly T[], timestamps: readonly number[]): Promise<OutgoingRecord[]> {
    const records = values.map((v, i) => this.serializer.serialize(v, timestamps[i] ?? NaN));
    const partitioner = this.serializer.partitioner;
    if (!partitioner) return records;
    for (const r of records) if (!this.partitionCounts.has(r.topic)) this.partitionCounts.set(r.topic, (await this.client.partitionsOf([r.topic])).length);
    return records.map((r, i) => {
      const n = this.partitionCounts.get(r.topic)!;
      const p = partitioner(values[i]!, r.key, r.topic, n);
      if (p === undefined) return r;
      if (!Number.isInteger(p) || p < 0 || p >= n) throw new WeirError('KAFKA_INVALID_CONFIGURATION', `the partitioner chose partition ${p} of topic ${r.topic}, which has ${n}`, false);
      return { ...r, partition: p };
    });
  }
}
