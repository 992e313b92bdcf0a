/**
 * A producer bound to one transactional id. Unlike kafkajs's public producer it tells the
 * producer id and epoch of its transaction, which a checkpoint records so that another
 * process can commit the transaction after a failure (as Flink's KafkaSink resumes one).
 */
import { WeirError } from '../../../errors/index.ts';
import type { KafkaClient } from './kafka-client.ts';
import { toTopicMessages } from './kafka-client.ts';
import { toClientError } from './client-options.ts';
import { newTransactionalProducer } from './kafkajs-internals.ts';
import type { KafkajsEosManager, KafkajsMessageProducer } from './kafkajs-internals.ts';
import type { KafkaTransactionHandle, OutgoingRecord } from './types.ts';
import { compressionCode } from './compression.ts';
import type { Compression } from './types.ts';

export class TransactionalProducer {
  private readonly eos: KafkajsEosManager;
  private readonly producer: KafkajsMessageProducer;

  constructor(
    private readonly client: KafkaClient,
    readonly transactionalId: string,
    transactionTimeoutMs: number,
  ) {
    const { cluster, logger } = client.internals();
    ({ eos: this.eos, producer: this.producer } = newTransactionalProducer(cluster, logger, transactionalId, transactionTimeoutMs));
  }

  /**
   * Registers the id with the coordinator (InitProducerId): a transaction this id left open
   * in an earlier run is aborted and that run's producer fenced.
   */
  async init(): Promise<void> {
    await this.client.connect();
    if (this.eos.isInitialized()) return;
    await this.guard('initialize the transactional id', () => this.eos.initProducerId());
  }

  async begin(): Promise<KafkaTransactionHandle> {
    await this.init();
    this.eos.beginTransaction();
    return { transactionalId: this.transactionalId, producerId: String(this.eos.getProducerId()), epoch: this.eos.getProducerEpoch() };
  }

  /** Whether this producer runs the transaction `h` (same producer id and epoch, not ended). */
  owns(h: KafkaTransactionHandle): boolean {
    return this.eos.isInTransaction() && String(this.eos.getProducerId()) === h.producerId && this.eos.getProducerEpoch() === h.epoch;
  }

  async send(records: readonly OutgoingRecord[], compression: Compression): Promise<void> {
    await this.guard('produce in a transaction', () => this.producer.sendBatch({ acks: -1, compression: compressionCode(compression), topicMessages: toTopicMessages(records) }));
  }

  async commit(): Promise<void> {
    await this.guard('commit a transaction', () => this.eos.commit());
  }

  async abort(): Promise<void> {
    await this.guard('abort a transaction', () => this.eos.abort());
  }

  private async guard(what: string, op: () => Promise<unknown>): Promise<void> {
    try {
      await op();
    } catch (err) {
      if (err instanceof WeirError) throw err;
      throw toClientError(`${what} (${this.transactionalId})`, this.client.bootstrapServers, err, this.client.authentication);
    }
  }
}
