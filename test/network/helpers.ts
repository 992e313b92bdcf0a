/** Shared pieces of the network tests: endpoint pairs, polling helpers, a manual timer. */
import type { TestContext } from 'node:test';
import { NetworkEndpoint } from '../../src/runtime/network/tcp/network-endpoint.ts';
import type { NetworkEndpointOptions } from '../../src/runtime/network/tcp/network-endpoint.ts';
import type { Connection } from '../../src/runtime/network/tcp/connection.ts';
import type { RemoteInputChannel } from '../../src/runtime/network/tcp/remote-input-channel.ts';
import type { FlushScheduler } from '../../src/runtime/network/tcp/remote-output-channel.ts';
import type { StreamElement } from '../../src/runtime/stream-element.ts';

export interface Pair {
  producer: NetworkEndpoint;
  consumer: NetworkEndpoint;
  connection: Connection;
}

/** Two endpoints on 127.0.0.1 ephemeral ports, the producer connected to the consumer, closed after the test. */
export async function endpointPair(t: TestContext, consumerOptions: NetworkEndpointOptions = {}, producerOptions: NetworkEndpointOptions = {}): Promise<Pair> {
  const producer = await NetworkEndpoint.listen({ host: '127.0.0.1', port: 0, ...producerOptions });
  const consumer = await NetworkEndpoint.listen({ host: '127.0.0.1', port: 0, ...consumerOptions });
  t.after(() => Promise.all([producer.close(), consumer.close()]));
  const connection = await producer.connect(consumer.address);
  return { producer, consumer, connection };
}

/** Resolves once `cond` holds; fails after `timeoutMs` (generous: these are not timing assertions). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Lets queued I/O and ticks run, so "nothing else happened" can be asserted. */
export async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export function pollAll(input: RemoteInputChannel): StreamElement[] {
  const out: StreamElement[] = [];
  for (let e = input.poll(); e !== undefined; e = input.poll()) out.push(e);
  return out;
}

/** Polls `input` as elements arrive until its end of partition. */
export async function collectUntilEnd(input: RemoteInputChannel, timeoutMs = 10_000): Promise<StreamElement[]> {
  const out: StreamElement[] = [];
  await waitFor(
    () => {
      out.push(...pollAll(input));
      return input.ended;
    },
    `end of partition on ${input.channelId}`,
    timeoutMs,
  );
  return out;
}

/** A buffer-timeout scheduler the test fires by hand. */
export class ManualScheduler implements FlushScheduler {
  private timers = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { fn, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number[] {
    return [...this.timers.values()].map((t) => t.ms);
  }

  fireAll(): void {
    const due = [...this.timers.values()];
    this.timers.clear();
    for (const t of due) t.fn();
  }
}
