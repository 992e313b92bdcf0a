// Shared test plumbing: a quiet kafkajs client against a broker started per test file.
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from 'kafkajs';
import type { KafkaBroker } from '../index.ts';

export function client(broker: KafkaBroker, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'weir-test',
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 50, retries: 8 },
    ...extra,
  });
}

/** Resolves once `predicate` holds, polling every 10 ms; fails after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 10000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
