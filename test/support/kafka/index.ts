// Public entry for tests: start a single-node Kafka wire-protocol broker on 127.0.0.1.
import { BrokerState } from './broker-state.ts';
import type { BrokerConfig } from './broker-state.ts';
import { Faults } from './faults.ts';
import type { FaultKind } from './faults.ts';
import { KafkaServer } from './server.ts';
import type { ApiName } from './protocol/api-keys.ts';
import type { ErrorCodeName } from './protocol/errors.ts';
import type { SaslConfig } from './sasl/mechanisms.ts';
import { securityProtocol } from './listener.ts';
import type { SecurityProtocol, TlsConfig } from './listener.ts';

export type { ApiName } from './protocol/api-keys.ts';
export type { ErrorCodeName } from './protocol/errors.ts';
export type { FaultKind } from './faults.ts';
export type { SaslConfig, SaslMechanismName } from './sasl/mechanisms.ts';
export type { ClientAuth, SecurityProtocol, TlsConfig } from './listener.ts';

export interface StartKafkaOptions {
  /** num.partitions: partitions of auto-created topics (Kafka default 1). */
  partitions?: number;
  /** Topics to create up front, name -> partition count. */
  topics?: Record<string, number>;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  /** auto.create.topics.enable (default true, as in Kafka). */
  autoCreateTopics?: boolean;
  /** message.max.bytes (Kafka default 1048588). */
  maxMessageBytes?: number;
  /** group.initial.rebalance.delay.ms; default 0 here (Kafka: 3000) so tests stay fast. */
  initialRebalanceDelayMs?: number;
  /** group.min.session.timeout.ms (Kafka default 6000); lower it for tests with short sessions. */
  minSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms (Kafka default 1800000). */
  maxSessionTimeoutMs?: number;
  /** transaction.max.timeout.ms (Kafka default 900000). */
  maxTransactionTimeoutMs?: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms (Kafka default 10000). */
  transactionAbortCheckIntervalMs?: number;
  /**
   * A SASL_PLAINTEXT listener (sasl.enabled.mechanisms) with these users and passwords
   * (the JAAS users of PLAIN, the SCRAM credentials kafka-configs would store); without it,
   * PLAINTEXT.
   */
  sasl?: SaslConfig;
  /** An SSL listener with this certificate and key (SASL_SSL with `sasl`); ssl.client.auth and its CAs. */
  tls?: TlsConfig;
  /**
   * advertised.listeners' host: the name Metadata and FindCoordinator give clients, and so the
   * name a client checks the broker's certificate against (default 127.0.0.1, where it listens).
   */
  advertisedHost?: string;
}

export interface FaultScope {
  /** Limit the fault to requests carrying this kafkajs clientId. */
  clientId?: string;
}

export interface KafkaBroker {
  /** Bootstrap addresses for kafkajs, e.g. ['127.0.0.1:40123'] (the advertised host). */
  brokers: string[];
  port: number;
  /** The listener's security protocol, as a client's security.protocol must name it. */
  securityProtocol: SecurityProtocol;
  /** Broker internals, for assertions on logs, groups and transactions. */
  state: BrokerState;
  /** Handler failures (broker bugs), also printed; tests should expect none. */
  errors: unknown[];
  stop(): Promise<void>;
  /** Stops listening and drops every connection, then comes back on the same port with the same logs. */
  restart(opts?: { downtimeMs?: number }): Promise<void>;
  /** Closes every open client connection now; returns how many there were. */
  dropConnections(): number;
  /** TLS handshakes that failed (untrusted broker, refused or missing client certificate, no TLS at all). */
  tlsHandshakesFailed(): number;
  /**
   * Closes the connection of the next `count` requests of `api` (null: any API), either before
   * handling them or after (the request takes effect but its response is lost).
   */
  dropNextRequests(api: ApiName | null, count?: number, opts?: FaultScope & { afterHandling?: boolean }): void;
  /** Delays the next `count` responses (default: all) of `api` (default: any API) by `ms`. */
  delayResponses(ms: number, opts?: FaultScope & { api?: ApiName; count?: number }): void;
  /** Answers the next `count` requests of `api` with `error` instead of handling them. */
  failNextRequests(api: ApiName, error: ErrorCodeName, count?: number, opts?: FaultScope): void;
  /** How many times a fault of `kind` fired on requests of `api` (default: of any API). */
  faultsFired(kind: FaultKind, api?: ApiName): number;
  clearFaults(): void;
}

export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const host = '127.0.0.1';
  const advertisedHost = options.advertisedHost ?? host;
  const protocol = securityProtocol(options.tls !== undefined, options.sasl !== undefined);
  const config: BrokerConfig = {
    nodeId: 0,
    host: advertisedHost,
    securityProtocol: protocol,
    clientAuth: options.tls?.clientAuth ?? 'none',
    clusterId: 'weir-test-cluster',
    defaultPartitions: options.partitions ?? 1,
    autoCreateTopics: options.autoCreateTopics ?? true,
    maxMessageBytes: options.maxMessageBytes ?? 1048588,
    initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? 0,
    minSessionTimeoutMs: options.minSessionTimeoutMs ?? 6000,
    maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 1800000,
    maxTransactionTimeoutMs: options.maxTransactionTimeoutMs ?? 900000,
    transactionAbortCheckIntervalMs: options.transactionAbortCheckIntervalMs ?? 10000,
  };
  const state = new BrokerState(config);
  for (const [name, partitions] of Object.entries(options.topics ?? {})) state.topics.create(name, partitions);
  const faults = new Faults();
  const server = new KafkaServer(state, faults, { sasl: options.sasl, tls: options.tls });
  const errors: unknown[] = [];
  server.onError = (err) => {
    errors.push(err);
    console.error('kafka test broker: request failed:', err);
  };
  const port = await server.listen(options.port ?? 0, host);
  state.port = port;
  let running = true;

  return {
    brokers: [`${advertisedHost}:${port}`],
    port,
    securityProtocol: protocol,
    state,
    errors,
    async stop() {
      if (!running) return;
      running = false;
      await server.close();
      state.close();
    },
    async restart(opts = {}) {
      await server.close();
      state.setOnline(false);
      if (opts.downtimeMs !== undefined && opts.downtimeMs > 0) await new Promise((resolve) => setTimeout(resolve, opts.downtimeMs));
      await server.listen(port, host);
      state.setOnline(true);
    },
    dropConnections: () => server.dropConnections(),
    tlsHandshakesFailed: () => server.tlsHandshakesFailed,
    dropNextRequests: (api, count = 1, opts = {}) => faults.dropNext(api, count, opts.afterHandling ?? false, opts.clientId ?? null),
    delayResponses: (ms, opts = {}) => faults.delayNext(opts.api ?? null, opts.count ?? Number.POSITIVE_INFINITY, ms, opts.clientId ?? null),
    failNextRequests: (api, error, count = 1, opts = {}) => faults.failNext(api, error, count, opts.clientId ?? null),
    faultsFired: (kind, api) => faults.count(kind, api),
    clearFaults: () => faults.clear(),
  };
}
