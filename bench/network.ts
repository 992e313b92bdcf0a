/**
 * Network data plane benchmark: records/s through one TCP channel between two
 * endpoints in this process and between two processes (encoding and decoding
 * included), the codec alone, and the one-way latency at fixed rates with buffer
 * timeout 0, measured against each record's intended send time (bench/network-latency.ts).
 *
 *   node --import tsx bench/network.ts [--records 2000000] [--batch 256] [--latency-rate N] [--latency-seconds 2]
 *
 * These are component figures with no target of their own: issue 3's targets (1M
 * records/s, p99 < 10 ms at buffer timeout 0) are for a keyBy shuffle between two
 * TaskManagers, which bench/cluster-shuffle.ts measures and judges.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BufferReader } from '../src/runtime/network/serialization/buffer-reader.ts';
import { BufferWriter } from '../src/runtime/network/serialization/buffer-writer.ts';
import { ElementDecoder, ElementEncoder } from '../src/runtime/network/serialization/element-codec.ts';
import { NetworkEndpoint } from '../src/runtime/network/tcp/network-endpoint.ts';
import type { RemoteInputChannel } from '../src/runtime/network/tcp/remote-input-channel.ts';
import type { RemoteOutputChannel } from '../src/runtime/network/tcp/remote-output-channel.ts';
import { END_OF_PARTITION, RecordBatch } from '../src/runtime/stream-element.ts';
import { runScheduledLatency } from './network-latency.ts';
import type { ScheduledLatencyResult } from './network-latency.ts';
import { intFlag, isMain, numberFlag } from './support/args.ts';
import { describeLatency } from './support/latency-histogram.ts';
import { fmtRate, machineLine } from './support/report.ts';

export interface NetworkBenchOptions {
  records?: number;
  batchSize?: number;
  /** Send rates (records/s) of the latency runs; default 10000 and 100000. */
  latencyRates?: readonly number[];
  /** Seconds of each latency run; default 2. */
  latencySeconds?: number;
}

export interface NetworkBenchResult {
  records: number;
  batchSize: number;
  /** Encoded bytes per record on the wire (frame overhead included). */
  bytesPerRecord: number;
  codecEncodeRecordsPerSec: number;
  codecDecodeRecordsPerSec: number;
  tcpRecordsPerSec: number;
  /** Records per CPU-second of this process (both ends run here). */
  tcpRecordsPerCpuSec: number;
  /** Producer in a child process, consumer here: the two-TaskManager case. */
  twoProcessRecordsPerSec: number;
  /** One-way latency at each fixed rate, buffer timeout 0. */
  latency: ScheduledLatencyResult[];
}

interface Txn {
  accountId: string;
  merchant: string;
  amount: number;
  ts: number;
  approved: boolean;
}

/** A small record shape like the fraud-detection example's card transactions. */
function makeBatches(batchSize: number, count: number): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let n = 0;
  for (let b = 0; b < count; b++) {
    const values: Txn[] = [];
    const ts: number[] = [];
    for (let i = 0; i < batchSize; i++, n++) {
      const t = 1_700_000_000_000 + n;
      values.push({ accountId: `acct-${n % 10_000}`, merchant: `m-${n % 97}`, amount: Math.round((n % 5000) * 1.37) / 100, ts: t, approved: n % 3 !== 0 });
      ts.push(t);
    }
    batches.push(new RecordBatch(values, ts));
  }
  return batches;
}

function benchCodec(batches: RecordBatch[], rounds: number): { encode: number; decode: number; bytesPerRecord: number } {
  const enc = new ElementEncoder();
  const dec = new ElementDecoder();
  const w = new BufferWriter(64 * 1024);
  const records = batches.length * batches[0]!.length * rounds;
  let t0 = performance.now();
  const frames: Buffer[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const b of batches) {
      w.reset();
      enc.encode(w, b);
      if (r === 0) frames.push(w.copy());
    }
  }
  const encodeMs = performance.now() - t0;
  t0 = performance.now();
  let sink = 0;
  for (let r = 0; r < rounds; r++) for (const f of frames) sink += (dec.decode(new BufferReader(f)) as RecordBatch).length;
  const decodeMs = performance.now() - t0;
  if (sink !== records) throw new Error('decode miscounted');
  const bytes = frames.reduce((s, f) => s + f.length, 0);
  return { encode: records / (encodeMs / 1000), decode: records / (decodeMs / 1000), bytesPerRecord: bytes / (batches.length * batches[0]!.length) };
}

/** Pushes `nBatches` batches and an end of partition as a task would: a step when woken, never per record. */
function produce(out: RemoteOutputChannel, batches: RecordBatch[], nBatches: number): Promise<void> {
  let sent = 0;
  return new Promise<void>((resolve, reject) => {
    let producing = false;
    const step = (): void => {
      producing = false;
      try {
        while (sent < nBatches && out.hasCapacity()) out.push(batches[sent++ % batches.length]!);
        if (sent === nBatches) {
          out.push(END_OF_PARTITION);
          sent++;
          resolve();
        }
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    out.onCapacity = () => {
      if (!producing && sent <= nBatches) {
        producing = true;
        setImmediate(step);
      }
    };
    step();
  });
}

/** Polls until end of partition, a step per wake-up; resolves with the record count. */
function consume(input: RemoteInputChannel, onFirst?: () => void): Promise<number> {
  let received = 0;
  return new Promise<number>((resolve, reject) => {
    let consuming = false;
    const step = (): void => {
      consuming = false;
      try {
        for (let e = input.poll(); e !== undefined; e = input.poll()) {
          if (received === 0) onFirst?.();
          if (e.kind === 'batch') received += e.length;
          else if (e.kind === 'end') return resolve(received);
        }
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    input.consumer = {
      notifyAvailable: () => {
        if (!consuming) {
          consuming = true;
          setImmediate(step);
        }
      },
    };
  });
}

async function benchThroughput(batches: RecordBatch[], total: number): Promise<{ perSec: number; perCpuSec: number; bytesPerRecord: number }> {
  const a = await NetworkEndpoint.listen();
  const b = await NetworkEndpoint.listen();
  try {
    const input = b.registerInput('bench', 8);
    const out = a.openOutput(await a.connect(b.address), 'bench', { bufferTimeoutMs: 100 });
    const batchSize = batches[0]!.length;
    const nBatches = Math.ceil(total / batchSize);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const [received] = await Promise.all([consume(input), produce(out, batches, nBatches)]);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (received !== nBatches * batchSize) throw new Error(`received ${received} of ${nBatches * batchSize}`);
    return { perSec: received / seconds, perCpuSec: received / ((cpu.user + cpu.system) / 1e6), bytesPerRecord: out.bytesSent / received };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/**
 * The producer in a child process (as between two TaskManagers, each on its own core).
 * Timed from the first record received, so the child's startup is not counted.
 */
async function benchTwoProcesses(total: number, batchSize: number): Promise<number> {
  const endpoint = await NetworkEndpoint.listen();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--producer-child', String(endpoint.address.port), String(total), String(batchSize)], { stdio: 'inherit' });
  try {
    const input = endpoint.registerInput('bench', 8);
    let t0 = 0;
    const received = await consume(input, () => (t0 = performance.now()));
    const seconds = (performance.now() - t0) / 1000;
    if (received !== Math.ceil(total / batchSize) * batchSize) throw new Error(`received ${received} records`);
    return received / seconds;
  } finally {
    child.kill();
    await endpoint.close();
  }
}

async function producerChild(port: number, total: number, batchSize: number): Promise<void> {
  const endpoint = await NetworkEndpoint.listen();
  const out = endpoint.openOutput(await endpoint.connect({ host: '127.0.0.1', port }), 'bench', { bufferTimeoutMs: 100 });
  await produce(out, makeBatches(batchSize, 256), Math.ceil(total / batchSize));
  while (!out.finished) await new Promise((r) => setTimeout(r, 5));
  await endpoint.close();
}

export async function runNetworkBench(options: NetworkBenchOptions = {}): Promise<NetworkBenchResult> {
  const records = options.records ?? 2_000_000;
  const batchSize = options.batchSize ?? 256;
  const batches = makeBatches(batchSize, 256);
  const codec = benchCodec(batches, Math.max(1, Math.round(records / (batchSize * batches.length))));
  await benchThroughput(batches, Math.min(records, 200_000)); // warm-up
  const tcp = await benchThroughput(batches, records);
  const twoProcess = await benchTwoProcesses(records * 2, batchSize);
  await runScheduledLatency(10_000, 0.5); // warm-up
  const latency: ScheduledLatencyResult[] = [];
  for (const rate of options.latencyRates ?? [10_000, 100_000]) latency.push(await runScheduledLatency(rate, options.latencySeconds ?? 2));
  return {
    records,
    batchSize,
    bytesPerRecord: tcp.bytesPerRecord,
    codecEncodeRecordsPerSec: codec.encode,
    codecDecodeRecordsPerSec: codec.decode,
    tcpRecordsPerSec: tcp.perSec,
    tcpRecordsPerCpuSec: tcp.perCpuSec,
    twoProcessRecordsPerSec: twoProcess,
    latency,
  };
}

/** The figures as printed, with no verdict: no target is defined for these setups. */
export function networkReport(r: NetworkBenchResult): string[] {
  const lines = [
    `network data plane: ${r.records} records of a small object shape, batches of ${r.batchSize}, ${r.bytesPerRecord.toFixed(1)} bytes/record on the wire`,
    `  codec alone:      encode ${fmtRate(r.codecEncodeRecordsPerSec)} records/s, decode ${fmtRate(r.codecDecodeRecordsPerSec)} records/s`,
    `  one TCP channel:  ${fmtRate(r.tcpRecordsPerSec)} records/s (${fmtRate(r.tcpRecordsPerCpuSec)} per CPU-second; both ends in this process)`,
    `  two processes:    ${fmtRate(r.twoProcessRecordsPerSec)} records/s (producer in a child process, one channel)`,
  ];
  for (const l of r.latency) {
    lines.push(`  latency at ${fmtRate(l.rate)} records/s for ${l.seconds}s, buffer timeout ${l.bufferTimeoutMs}, against the intended send time: ${describeLatency(l.latency)}`);
  }
  lines.push('  (component figures: issue 3\'s targets are judged on the keyBy shuffle between two TaskManagers, bench/cluster-shuffle.ts)');
  return lines;
}

const childAt = process.argv.indexOf('--producer-child');
if (childAt !== -1) {
  await producerChild(Number(process.argv[childAt + 1]), Number(process.argv[childAt + 2]), Number(process.argv[childAt + 3]));
} else if (isMain(import.meta.url)) {
  const rate = process.argv.includes('--latency-rate') ? [numberFlag('latency-rate', 0)] : undefined;
  const r = await runNetworkBench({ records: intFlag('records', 2_000_000), batchSize: intFlag('batch', 256), latencyRates: rate, latencySeconds: numberFlag('latency-seconds', 2) });
  console.log(machineLine());
  for (const line of networkReport(r)) console.log(line);
}
