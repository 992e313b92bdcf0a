/**
 * The parts of kafkajs that its public API does not offer and the connector needs, loaded
 * from its source tree (kafkajs 2.2.4 has no `exports` map, so they resolve): a Cluster to
 * fetch partitions without joining a group (Flink's source assigns partitions itself), the
 * transaction manager whose producer id and epoch a checkpoint must record, and the broker
 * requests that commit a recorded transaction after a restore. Only this folder sees them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface KafkajsLogger {
  namespace(name: string): KafkajsLogger;
}

export interface KafkajsFetchedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  isControlRecord?: boolean;
}

export interface KafkajsFetchPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset?: string;
  abortedTransactions?: unknown[];
  messages: KafkajsFetchedMessage[];
}

export interface KafkajsBroker {
  fetch(req: {
    replicaId?: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: KafkajsFetchPartition[] }[] }>;
  offsetCommit(req: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
  endTxn(req: { transactionalId: string; producerId: number | string; producerEpoch: number; transactionResult: boolean }): Promise<unknown>;
}

export interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(req: { nodeId: string }): Promise<KafkajsBroker>;
  findGroupCoordinator(req: { groupId: string; coordinatorType?: number }): Promise<KafkajsBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning?: boolean; fromTimestamp?: number }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  readonly retry: unknown;
}

export interface KafkajsEosManager {
  getProducerId(): number | string;
  getProducerEpoch(): number;
  isInitialized(): boolean;
  isInTransaction(): boolean;
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface KafkajsMessageProducer {
  sendBatch(req: {
    acks: number;
    timeout?: number;
    compression?: number;
    topicMessages: { topic: string; messages: { key?: Buffer | null; value: Buffer | null; partition?: number; headers?: Record<string, Buffer>; timestamp?: string }[] }[];
  }): Promise<unknown>;
}

export interface ClusterOptions {
  brokers: string[];
  clientId?: string;
  ssl?: unknown;
  sasl?: unknown;
  connectionTimeout?: number;
  requestTimeout?: number;
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
  allowAutoTopicCreation: boolean;
  isolationLevel: number;
  logger: KafkajsLogger;
}

const loggers = require('kafkajs/src/loggers/index.js') as {
  LEVELS: Record<'NOTHING' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG', number>;
  createLogger(opts: { level: number; logCreator: () => (entry: unknown) => void }): KafkajsLogger;
};
const ClusterCtor = require('kafkajs/src/cluster/index.js') as new (opts: Record<string, unknown>) => KafkajsCluster;
const socketFactory = require('kafkajs/src/network/socketFactory.js') as () => unknown;
const createEosManager = require('kafkajs/src/producer/eosManager/index.js') as (opts: Record<string, unknown>) => KafkajsEosManager;
const createMessageProducer = require('kafkajs/src/producer/messageProducer.js') as (opts: Record<string, unknown>) => KafkajsMessageProducer;
const createRetry = require('kafkajs/src/retry/index.js') as (opts: unknown) => unknown;
const partitioners = require('kafkajs/src/producer/partitioners/index.js') as { DefaultPartitioner: () => unknown };
const connectionStatus = require('kafkajs/src/network/connectionStatus.js') as { CONNECTION_STATUS: { CONNECTED: string } };

export const TRANSACTION_COORDINATOR = 1;
export const READ_COMMITTED = 1;
export const READ_UNCOMMITTED = 0;

export function silentLogger(): KafkajsLogger {
  return loggers.createLogger({ level: loggers.LEVELS.NOTHING, logCreator: () => () => undefined });
}

export function newCluster(o: ClusterOptions): KafkajsCluster {
  return new ClusterCtor({
    logger: o.logger,
    socketFactory: socketFactory(),
    brokers: o.brokers,
    ssl: o.ssl,
    sasl: o.sasl,
    clientId: o.clientId ?? 'weir',
    connectionTimeout: o.connectionTimeout ?? 1000,
    requestTimeout: o.requestTimeout ?? 30000,
    enforceRequestTimeout: true,
    retry: o.retry,
    metadataMaxAge: 300000,
    allowAutoTopicCreation: o.allowAutoTopicCreation,
    isolationLevel: o.isolationLevel,
    offsets: new Map(),
  });
}

/** A transaction manager and its message producer for one transactional id. */
export function newTransactionalProducer(
  cluster: KafkajsCluster,
  logger: KafkajsLogger,
  transactionalId: string,
  transactionTimeout: number,
): { eos: KafkajsEosManager; producer: KafkajsMessageProducer } {
  const eos = createEosManager({ logger, cluster, transactionTimeout, transactional: true, transactionalId });
  const producer = createMessageProducer({
    logger,
    cluster,
    partitioner: partitioners.DefaultPartitioner(),
    eosManager: eos,
    idempotent: true,
    retrier: createRetry(cluster.retry),
    getConnectionStatus: () => connectionStatus.CONNECTION_STATUS.CONNECTED,
  });
  return { eos, producer };
}

const BatchCtor = require('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, partitionData: KafkajsFetchPartition) => {
  messages: KafkajsFetchedMessage[];
  isEmptyIncludingFiltered(): boolean;
  lastOffset(): string;
};

/**
 * A partition's fetched data as a consumer may see it (kafkajs's Batch: no records before the
 * fetch offset, no control records, no aborted transactions' records), and the last offset
 * the fetch covered, filtered records included, so the next fetch moves past them.
 */
export function filterBatch(topic: string, fetchedOffset: number, p: KafkajsFetchPartition): { messages: KafkajsFetchedMessage[]; lastOffset: number | undefined } {
  const batch = new BatchCtor(topic, String(fetchedOffset), p);
  return { messages: batch.messages, lastOffset: batch.isEmptyIncludingFiltered() ? undefined : Number(batch.lastOffset()) };
}
