/**
 * One-way latency through one TCP channel at a fixed rate, without coordinated omission:
 * record i is due at start + i/rate, and its latency is the time it was received minus
 * that intended time, however late the sender got to send it. A sender that falls behind
 * (the channel out of credit, the event loop busy) sends what is due at once, as a source
 * would, and the delay it suffered counts against every record it held back. Both ends
 * run in this process, so they share one event loop, as two tasks of one slot do.
 */
import { NetworkEndpoint } from '../src/runtime/network/tcp/network-endpoint.ts';
import type { RemoteInputChannel } from '../src/runtime/network/tcp/remote-input-channel.ts';
import type { RemoteOutputChannel } from '../src/runtime/network/tcp/remote-output-channel.ts';
import { END_OF_PARTITION, RecordBatch } from '../src/runtime/stream-element.ts';
import { LatencyHistogram } from './support/latency-histogram.ts';
import type { LatencySummary } from './support/latency-histogram.ts';

export interface ScheduledLatencyResult {
  rate: number;
  seconds: number;
  bufferTimeoutMs: number;
  latency: LatencySummary;
}

/** At most this many due records go out as one batch (a source's batch). */
const MAX_BATCH = 256;

interface Stamped {
  seq: number;
  accountId: string;
  amount: number;
}

/** Sends `total` records on schedule; resolves when the end of partition is pushed. */
function sendOnSchedule(out: RemoteOutputChannel, total: number, start: number, intervalMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sent = 0;
    let waitingForCapacity = false;
    const step = (): void => {
      try {
        const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
        while (sent < due && out.hasCapacity()) {
          const n = Math.min(due - sent, MAX_BATCH);
          const values: Stamped[] = new Array<Stamped>(n);
          const timestamps: number[] = new Array<number>(n);
          for (let k = 0; k < n; k++, sent++) {
            values[k] = { seq: sent, accountId: `acct-${sent % 10_000}`, amount: (sent % 5000) / 100 };
            timestamps[k] = sent;
          }
          out.push(new RecordBatch(values, timestamps));
        }
        if (sent === total) {
          out.push(END_OF_PARTITION);
          resolve();
        } else if (!out.hasCapacity()) {
          waitingForCapacity = true;
        } else {
          // Sleep until the next record is due; a timer only for waits it can honour (>= 1 ms).
          const wait = start + sent * intervalMs - performance.now();
          if (wait >= 1) setTimeout(step, Math.floor(wait));
          else setImmediate(step);
        }
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    out.onCapacity = () => {
      if (waitingForCapacity) {
        waitingForCapacity = false;
        setImmediate(step);
      }
    };
    step();
  });
}

/** Records each record's latency against its intended send time until end of partition. */
function receiveInto(input: RemoteInputChannel, histogram: LatencyHistogram, start: number, intervalMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let received = 0;
    let scheduled = false;
    const step = (): void => {
      scheduled = false;
      try {
        for (let e = input.poll(); e !== undefined; e = input.poll()) {
          if (e.kind === 'end') return resolve(received);
          if (e.kind !== 'batch') continue;
          const now = performance.now();
          const values = e.values as Stamped[];
          for (let k = 0; k < values.length; k++) histogram.recordMs(now - (start + values[k]!.seq * intervalMs));
          received += values.length;
        }
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    input.consumer = {
      notifyAvailable: () => {
        if (!scheduled) {
          scheduled = true;
          setImmediate(step);
        }
      },
    };
  });
}

export async function runScheduledLatency(rate: number, seconds: number, bufferTimeoutMs = 0): Promise<ScheduledLatencyResult> {
  if (!(rate > 0 && seconds > 0)) throw new RangeError(`rate and seconds must be positive, got ${rate}/s for ${seconds}s`);
  const a = await NetworkEndpoint.listen();
  const b = await NetworkEndpoint.listen();
  try {
    const input = b.registerInput('latency', 8);
    const out = a.openOutput(await a.connect(b.address), 'latency', { bufferTimeoutMs });
    const total = Math.max(1, Math.round(rate * seconds));
    const intervalMs = 1000 / rate;
    const histogram = new LatencyHistogram();
    const start = performance.now();
    const [received] = await Promise.all([receiveInto(input, histogram, start, intervalMs), sendOnSchedule(out, total, start, intervalMs)]);
    if (received !== total) throw new Error(`network latency: received ${received} of ${total} records`);
    return { rate, seconds, bufferTimeoutMs, latency: histogram.summary() };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
