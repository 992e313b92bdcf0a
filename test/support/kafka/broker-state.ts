// Everything the broker knows, shared by the API handlers and kept across restarts
// (a restart drops connections and the listener, never the logs or coordinator state).
import { TopicStore } from './log/topics.ts';
import { GroupCoordinator } from './groups/coordinator.ts';
import { OffsetManager } from './groups/offsets.ts';
import { TransactionCoordinator } from './txn/coordinator.ts';
import type { ClientAuth, SecurityProtocol } from './listener.ts';

export interface BrokerConfig {
  nodeId: number;
  /** The advertised listener's host (where clients connect); the broker listens on 127.0.0.1. */
  host: string;
  /** The listener's security protocol (listener.security.protocol.map), for DescribeConfigs. */
  securityProtocol: SecurityProtocol;
  /** ssl.client.auth of an SSL listener. */
  clientAuth: ClientAuth;
  clusterId: string;
  /** num.partitions: partitions of auto-created topics and CreateTopics with -1. */
  defaultPartitions: number;
  autoCreateTopics: boolean;
  /** message.max.bytes: the largest record batch a produce may carry. */
  maxMessageBytes: number;
  initialRebalanceDelayMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  maxTransactionTimeoutMs: number;
  transactionAbortCheckIntervalMs: number;
}

export class BrokerState {
  readonly topics: TopicStore;
  readonly groups: GroupCoordinator;
  readonly offsets: OffsetManager;
  readonly txns: TransactionCoordinator;
  port = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly config: BrokerConfig) {
    this.topics = new TopicStore(() => this.notify());
    this.groups = new GroupCoordinator(config);
    this.offsets = new OffsetManager(this.groups);
    this.txns = new TransactionCoordinator(this.topics, this.offsets, {
      maxTimeoutMs: config.maxTransactionTimeoutMs,
      abortCheckIntervalMs: config.transactionAbortCheckIntervalMs,
    });
  }

  /** Wakes fetches parked in their max wait when any log changes. */
  private notify(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }

  /** Resolves on the next log change or after `ms`, whichever comes first. */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Releases parked fetches so a stopping broker does not hold the event loop. */
  wakeAll(): void {
    this.notify();
  }

  setOnline(online: boolean): void {
    this.txns.paused = !online;
    if (online) this.groups.resume();
    else this.groups.paused = true;
  }

  close(): void {
    this.groups.close();
    this.txns.close();
    this.notify();
  }
}
