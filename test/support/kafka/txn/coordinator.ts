// Transaction coordinator as in Kafka's TransactionCoordinator: producer id and epoch
// allocation, fencing by epoch bump, partition/offset registration, commit/abort markers and
// aborting transactions that outlive their timeout.
import { ErrorCode } from '../protocol/errors.ts';
import type { TopicStore } from '../log/topics.ts';
import type { OffsetManager, OffsetCommitEntry } from '../groups/offsets.ts';
import { splitTpKey, tpKey } from '../groups/group.ts';

type TxnStatus = 'Empty' | 'Ongoing' | 'CompleteCommit' | 'CompleteAbort';

interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  status: TxnStatus;
  partitions: Set<string>;
  groups: Set<string>;
  startedAt: number;
}

export interface TxnConfig {
  maxTimeoutMs: number;
  abortCheckIntervalMs: number;
}

export interface ProducerIdResult {
  error: number;
  producerId: number;
  producerEpoch: number;
}

const MAX_EPOCH = 32767;

export class TransactionCoordinator {
  private nextProducerId = 1000;
  private readonly txns = new Map<string, TxnMetadata>();
  private readonly byProducerId = new Map<number, TxnMetadata>();
  private readonly ticker: NodeJS.Timeout;
  /** Set while the broker is down: timed-out transactions are aborted once it is back. */
  paused = false;

  constructor(
    private readonly topics: TopicStore,
    private readonly offsets: OffsetManager,
    private readonly cfg: TxnConfig,
  ) {
    this.ticker = setInterval(() => this.abortTimedOut(), cfg.abortCheckIntervalMs);
    this.ticker.unref();
  }

  close(): void {
    clearInterval(this.ticker);
  }

  /**
   * A new producer id for idempotent producers; for a transactional id, its producer id with a
   * bumped epoch. From InitProducerId v3 a producer may name its current id and epoch
   * (KIP-360); anything but the current pair means it was fenced.
   */
  initProducerId(transactionalId: string | null, timeoutMs: number, producerId = -1, producerEpoch = -1): ProducerIdResult {
    const fail = (error: number): ProducerIdResult => ({ error, producerId: -1, producerEpoch: -1 });
    if (transactionalId === null) return { error: ErrorCode.NONE, producerId: this.nextProducerId++, producerEpoch: 0 };
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.cfg.maxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    let txn = this.txns.get(transactionalId);
    if (txn === undefined) {
      txn = {
        transactionalId,
        producerId: this.nextProducerId++,
        epoch: 0,
        timeoutMs,
        status: 'Empty',
        partitions: new Set(),
        groups: new Set(),
        startedAt: 0,
      };
      this.txns.set(transactionalId, txn);
      this.byProducerId.set(txn.producerId, txn);
      return { error: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: 0 };
    }
    if (producerId !== -1 && (producerId !== txn.producerId || producerEpoch !== txn.epoch)) return fail(ErrorCode.PRODUCER_FENCED);
    if (txn.status === 'Ongoing') {
      // Fence the previous incarnation: abort its transaction under a bumped epoch, then make
      // the new producer retry, exactly as Kafka answers CONCURRENT_TRANSACTIONS here.
      this.bumpEpoch(txn);
      this.complete(txn, false);
      return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    this.bumpEpoch(txn);
    txn.timeoutMs = timeoutMs;
    txn.status = 'Empty';
    return { error: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: txn.epoch };
  }

  private bumpEpoch(txn: TxnMetadata): void {
    if (txn.epoch < MAX_EPOCH - 1) {
      txn.epoch++;
      return;
    }
    // Epoch exhausted: Kafka moves the transactional id to a fresh producer id.
    this.byProducerId.delete(txn.producerId);
    txn.producerId = this.nextProducerId++;
    txn.epoch = 0;
    this.byProducerId.set(txn.producerId, txn);
  }

  private validate(transactionalId: string, producerId: number, epoch: number): TxnMetadata | number {
    const txn = this.txns.get(transactionalId);
    if (txn === undefined || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch !== txn.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    return txn;
  }

  private begin(txn: TxnMetadata): void {
    if (txn.status === 'Ongoing') return;
    txn.status = 'Ongoing';
    txn.partitions.clear();
    txn.groups.clear();
    txn.startedAt = Date.now();
  }

  /** Per-partition errors; if any partition is unknown the rest are OPERATION_NOT_ATTEMPTED. */
  addPartitions(transactionalId: string, producerId: number, epoch: number, topics: { name: string; partitions: number[] }[]): Map<string, number> {
    const result = new Map<string, number>();
    const all = topics.flatMap((t) => t.partitions.map((p) => tpKey(t.name, p)));
    const txn = this.validate(transactionalId, producerId, epoch);
    if (typeof txn === 'number') {
      for (const key of all) result.set(key, txn);
      return result;
    }
    const unknown = all.filter((key) => this.topics.partition(...splitTpKey(key)) === undefined);
    if (unknown.length > 0) {
      for (const key of all) result.set(key, unknown.includes(key) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED);
      return result;
    }
    this.begin(txn);
    for (const key of all) {
      txn.partitions.add(key);
      result.set(key, ErrorCode.NONE);
    }
    return result;
  }

  addOffsets(transactionalId: string, producerId: number, epoch: number, groupId: string): number {
    const txn = this.validate(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    this.begin(txn);
    txn.groups.add(groupId);
    return ErrorCode.NONE;
  }

  /** TxnOffsetCommit is written under the producer's id and epoch, so a fenced producer is refused. */
  txnOffsetCommit(transactionalId: string, groupId: string, producerId: number, epoch: number, entries: OffsetCommitEntry[]): number {
    const txn = this.validate(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    if (txn.status !== 'Ongoing' || !txn.groups.has(groupId)) return ErrorCode.INVALID_TXN_STATE;
    this.offsets.addTxnOffsets(groupId, producerId, entries);
    return ErrorCode.NONE;
  }

  endTxn(transactionalId: string, producerId: number, epoch: number, commit: boolean): number {
    const txn = this.validate(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    switch (txn.status) {
      case 'Ongoing':
        this.complete(txn, commit);
        return ErrorCode.NONE;
      case 'CompleteCommit':
        // A retried EndTxn whose first attempt succeeded.
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      default:
        return ErrorCode.INVALID_TXN_STATE;
    }
  }

  /** Writes markers to every partition in the transaction and settles its offsets. */
  private complete(txn: TxnMetadata, commit: boolean): void {
    for (const key of txn.partitions) this.topics.partition(...splitTpKey(key))?.appendMarker(commit, txn.producerId, txn.epoch);
    for (const groupId of txn.groups) this.offsets.completeTxn(groupId, txn.producerId, commit);
    txn.status = commit ? 'CompleteCommit' : 'CompleteAbort';
    txn.partitions.clear();
    txn.groups.clear();
  }

  private abortTimedOut(): void {
    if (this.paused) return;
    const now = Date.now();
    for (const txn of this.txns.values()) {
      if (txn.status !== 'Ongoing' || now - txn.startedAt <= txn.timeoutMs) continue;
      // Bumping the epoch first fences the stalled producer when it comes back.
      this.bumpEpoch(txn);
      this.complete(txn, false);
    }
  }
}
