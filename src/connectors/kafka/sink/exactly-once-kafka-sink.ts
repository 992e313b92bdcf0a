/**
 * KafkaSink's EXACTLY_ONCE mode on the two-phase-commit base: each checkpoint interval of a
 * subtask writes one Kafka transaction; the barrier flushes it (every send acknowledged) and
 * records its transactional id, producer id and epoch in the checkpoint; the checkpoint's
 * completion commits it. After a restore the recorded transactions are committed by id and
 * epoch from whichever process restores them. Ids come from a small pool per subtask
 * (`<prefix>-<subtask>-<n>`), so a long job does not create an id per checkpoint; an id is
 * reused only once no checkpoint a restore may use records its last transaction
 * (transactional-id-pool.ts). At start, right after the restored commits and before any
 * record, a subtask registers every id of its pool, which aborts what an earlier run left
 * open under them (and, restored at a lower parallelism, the pools of the former subtasks
 * whose logs it was dealt): read_committed readers are not held back by a dead attempt's
 * transactions until transaction.timeout.ms, even when no input comes.
 */
import type { SinkWriter, SinkWriterContext } from '../../../api/source.ts';
import { TwoPhaseCommitSink } from '../../../api/sinks/two-phase-commit-sink.ts';
import { WeirError } from '../../../errors/index.ts';
import { KafkaClient } from '../client/kafka-client.ts';
import { TransactionalProducer } from '../client/transactional-producer.ts';
import type { KafkaTransactionHandle } from '../client/types.ts';
import type { KafkaSinkSettings } from './kafka-sink.ts';
import { OutgoingRecords } from './outgoing-records.ts';
import { TransactionalIdPool } from './transactional-id-pool.ts';

interface SubtaskTransactions<T> {
  readonly client: KafkaClient;
  readonly records: OutgoingRecords<T>;
  readonly producers: TransactionalProducer[];
  readonly pool: TransactionalIdPool;
}

export class ExactlyOnceKafkaSink<T> extends TwoPhaseCommitSink<T, KafkaTransactionHandle> {
  private readonly subtasks = new WeakMap<SinkWriterContext, SubtaskTransactions<T>>();
  /** This process's producers by transactional id, for commits of its own transactions. */
  private readonly producers = new Map<string, TransactionalProducer>();
  /** The subtask whose pool holds each id. */
  private readonly owners = new Map<string, SubtaskTransactions<T>>();
  /** A client for commits of restored transactions, which any subtask may be dealt. */
  private recoveryClient: KafkaClient | undefined;

  constructor(private readonly settings: KafkaSinkSettings<T>) {
    super();
  }

  override createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const interval = ctx.checkpointIntervalMs;
    if (interval === undefined) {
      throw new WeirError('KAFKA_INVALID_CONFIGURATION', 'KafkaSink EXACTLY_ONCE commits on checkpoints: enable checkpointing (env.enableCheckpointing(ms)), or use AT_LEAST_ONCE', false);
    }
    if (!(this.settings.transactionTimeoutMs > interval)) {
      throw new WeirError(
        'KAFKA_INVALID_CONFIGURATION',
        `KafkaSink EXACTLY_ONCE: transaction.timeout.ms (${this.settings.transactionTimeoutMs}) must be larger than the checkpoint interval (${interval} ms), or the broker aborts transactions before their checkpoint completes; raise transaction.timeout.ms (up to the broker's transaction.max.timeout.ms)`,
        false,
      );
    }
    const writer = super.createWriter(ctx);
    // The base writer aborts an open transaction on close; then this subtask's clients go.
    return {
      write: (v, t) => writer.write(v, t),
      snapshotState: (id) => {
        this.subtasks.get(ctx)?.pool.snapshotTaken(id);
        return writer.snapshotState!(id);
      },
      notifyCheckpointComplete: (id) => {
        this.subtasks.get(ctx)?.pool.checkpointCompleted(id);
        return writer.notifyCheckpointComplete!(id);
      },
      notifyCheckpointAborted: (id) => writer.notifyCheckpointAborted?.(id),
      finish: () => writer.finish!(),
      close: async () => {
        try {
          await writer.close!();
        } finally {
          await this.closeSubtask(ctx);
        }
      },
    };
  }

  private async closeSubtask(ctx: SinkWriterContext): Promise<void> {
    const s = this.subtasks.get(ctx);
    this.subtasks.delete(ctx);
    const recovery = this.recoveryClient;
    this.recoveryClient = undefined;
    if (s) for (const p of s.producers) {
      this.producers.delete(p.transactionalId);
      this.owners.delete(p.transactionalId);
    }
    await Promise.all([s?.client.close(), recovery?.close()]);
  }

  private subtask(ctx: SinkWriterContext): SubtaskTransactions<T> {
    let s = this.subtasks.get(ctx);
    if (!s) {
      const client = new KafkaClient(this.settings.bootstrapServers, this.settings.properties);
      const ids = Array.from({ length: this.settings.transactionIdPoolSize }, (_, n) => `${this.settings.transactionalIdPrefix}-${ctx.subtaskIndex}-${n}`);
      const producers = ids.map((id) => new TransactionalProducer(client, id, this.settings.transactionTimeoutMs));
      s = { client, records: new OutgoingRecords(this.settings.serializer, client), producers, pool: new TransactionalIdPool(ids) };
      for (const p of producers) {
        this.producers.set(p.transactionalId, p);
        this.owners.set(p.transactionalId, s);
      }
      this.subtasks.set(ctx, s);
    }
    return s;
  }

  /** Restored transactions were committed before this (the writer runs hooks in order). */
  protected override async start(ctx: SinkWriterContext): Promise<void> {
    const s = this.subtask(ctx);
    for (const p of s.producers) await p.init();
    await this.abortOfFormerSubtasks(ctx, s.client);
  }

  protected async beginTransaction(ctx: SinkWriterContext): Promise<KafkaTransactionHandle> {
    const s = this.subtask(ctx);
    const id = s.pool.take();
    const free = s.producers.find((p) => p.transactionalId === id);
    if (!free) {
      throw new WeirError(
        'KAFKA_TRANSACTION_FAILED',
        `all ${s.producers.length} transactional ids of subtask ${ctx.subtaskIndex} hold transactions waiting for their checkpoint, or for a later one, to complete; raise transactional.id.pool.size or find why checkpoints do not complete`,
        true,
      );
    }
    return free.begin();
  }

  /**
   * After a restore at a lower parallelism, the ids of subtasks that no longer exist may hold
   * open transactions, which would block read_committed readers until they time out. Each
   * writer's snapshot is one log, and logs are dealt round-robin in subtask order, so subtask
   * s was dealt the logs of former subtasks s, s + p, s + 2p, ... (one per log) and committed
   * what they recorded above; it may now abort what else those former subtasks' ids hold.
   */
  private async abortOfFormerSubtasks(ctx: SinkWriterContext, client: KafkaClient): Promise<void> {
    for (let k = 1; k < ctx.restoredState.length; k++) {
      const former = ctx.subtaskIndex + k * ctx.parallelism;
      for (let n = 0; n < this.settings.transactionIdPoolSize; n++) {
        await new TransactionalProducer(client, `${this.settings.transactionalIdPrefix}-${former}-${n}`, this.settings.transactionTimeoutMs).init();
      }
    }
  }

  protected async write(txn: KafkaTransactionHandle, values: readonly T[], timestamps: readonly number[]): Promise<void> {
    const producer = this.ownProducer(txn);
    const records = await this.subtaskOf(txn).records.of(values, timestamps);
    await producer.send(records, this.settings.compression);
  }

  /** Every send was awaited in write: the transaction holds the interval's records. */
  protected preCommit(): void {}

  protected async commit(txn: KafkaTransactionHandle): Promise<void> {
    const own = this.producers.get(txn.transactionalId);
    if (own?.owns(txn)) await own.commit();
    else if ((await this.recovery().endRecordedTransaction(txn, true)) === 'fenced') {
      // Kafka refused the commit: the id moved on to a newer epoch or the transaction was
      // aborted. Harmless after an earlier restore from the same checkpoint committed it; a
      // loss when it outlived transaction.timeout.ms. The client cannot tell which (Flink warns too).
      console.warn(
        `KafkaSink: after a restore, Kafka refused to commit the transaction of ${txn.transactionalId} (producer ${txn.producerId}, epoch ${txn.epoch}) recorded in the checkpoint. ` +
          'If an earlier restore from the same checkpoint committed it, nothing is lost; otherwise it was aborted (it outlived transaction.timeout.ms while the job was down) and its records are lost: raise transaction.timeout.ms above the longest expected downtime',
      );
    }
    this.owners.get(txn.transactionalId)?.pool.committed(txn.transactionalId);
  }

  protected async abort(txn: KafkaTransactionHandle): Promise<void> {
    const own = this.producers.get(txn.transactionalId);
    if (own?.owns(txn)) await own.abort();
    this.owners.get(txn.transactionalId)?.pool.aborted(txn.transactionalId);
  }

  private ownProducer(txn: KafkaTransactionHandle): TransactionalProducer {
    const p = this.producers.get(txn.transactionalId);
    if (!p?.owns(txn)) throw new WeirError('INTERNAL', `no open transaction ${txn.transactionalId} (producer ${txn.producerId}, epoch ${txn.epoch}) in this process`, false);
    return p;
  }

  private subtaskOf(txn: KafkaTransactionHandle): SubtaskTransactions<T> {
    const s = this.owners.get(txn.transactionalId);
    if (!s) throw new WeirError('INTERNAL', `transaction ${txn.transactionalId} belongs to no subtask of this process`, false);
    return s;
  }

  private recovery(): KafkaClient {
    return (this.recoveryClient ??= new KafkaClient(this.settings.bootstrapServers, this.settings.properties));
  }
}
