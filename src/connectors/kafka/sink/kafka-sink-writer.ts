/**
 * The writer of KafkaSink's NONE and AT_LEAST_ONCE modes. Batches are sent as they come,
 * several in flight at once; a send's failure fails the next call. At a checkpoint,
 * AT_LEAST_ONCE waits for every send before the barrier (Flink's flush on checkpoint), so a
 * completed checkpoint never covers a record the broker has not acknowledged.
 */
import type { SinkWriter, SinkWriterContext } from '../../../api/source.ts';
import { KafkaClient } from '../client/kafka-client.ts';
import type { KafkaProducer } from '../client/kafka-client.ts';
import type { KafkaSinkSettings } from './kafka-sink.ts';
import { OutgoingRecords } from './outgoing-records.ts';

const MAX_IN_FLIGHT = 8;

export class KafkaSinkWriter<T> implements SinkWriter<T> {
  private readonly client: KafkaClient;
  private readonly producer: KafkaProducer;
  private readonly records: OutgoingRecords<T>;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly settings: KafkaSinkSettings<T>,
    _ctx: SinkWriterContext,
  ) {
    this.client = new KafkaClient(settings.bootstrapServers, settings.properties);
    this.producer = this.client.producer({ idempotent: settings.guarantee === 'AT_LEAST_ONCE' && settings.properties['enable.idempotence'] !== false });
    this.records = new OutgoingRecords(settings.serializer, this.client);
  }

  write(values: readonly T[], timestamps: readonly number[]): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const send = this.records
      .of(values, timestamps)
      .then((records) => this.producer.send(records, { acks: this.settings.acks, compression: this.settings.compression }))
      .catch((err: unknown) => {
        this.failure ??= err;
      });
    this.inFlight.add(send);
    void send.finally(() => this.inFlight.delete(send));
    // Backpressure: with too many sends open the task waits for them.
    if (this.inFlight.size >= MAX_IN_FLIGHT) return this.flush();
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    if (this.failure !== undefined) throw this.failure;
  }

  async snapshotState(): Promise<readonly unknown[]> {
    if (this.settings.guarantee === 'AT_LEAST_ONCE') await this.flush();
    else if (this.failure !== undefined) throw this.failure;
    return [];
  }

  finish(): Promise<void> {
    return this.flush();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.producer.close();
    await this.client.close();
  }
}
