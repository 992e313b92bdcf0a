/**
 * The TaskManager main thread's handle on one slot's worker thread: starts it (its data
 * endpoint must listen before the TaskManager registers), posts deployments, cancels and
 * metric requests, and hears how the slot's part of each attempt ended. A worker that
 * dies ends its attempts as FAILED and is started again on the same data port, so the
 * address the JobManager knows stays valid.
 */
import type { ErrorCode } from '../../errors/index.ts';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { WeirError, errorCodeOf, errorMessage } from '../../errors/index.ts';
import type { EndpointAddress } from '../network/tcp/network-endpoint.ts';
import type { CheckpointReport, DeploymentDescriptor, SubtaskStateReport } from '../cluster-protocol/messages.ts';
import type { ControlMessage } from '../task/control-inbox.ts';
import { attemptKey } from './slot-protocol.ts';
import type { FromSlot, SlotResult, SlotWorkerData, ToSlot } from './slot-protocol.ts';

const BOOTSTRAP = new URL('./slot-worker-bootstrap.mjs', import.meta.url);
const ENTRY = fileURLToPath(new URL('./slot-worker.ts', import.meta.url));
/** A scrape waits this long for a busy worker before leaving its metrics out. */
const METRICS_TIMEOUT_MS = 2000;

/**
 * The parent's diagnostic flags (profiles, source maps) apply to the slot threads too,
 * where the tasks run. Nothing else: `--import tsx` would load tsx twice (the bootstrap
 * registers it), and process-wide flags such as heap sizes make Worker throw.
 */
export function workerExecArgv(parent: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i]!;
    if (!/^--(cpu-prof|heap-prof|enable-source-maps)/.test(a)) continue;
    out.push(a);
    // `--cpu-prof-dir DIR`: the value is the next argument.
    if (/^--(cpu|heap)-prof-(dir|name|interval)$/.test(a) && i + 1 < parent.length) out.push(parent[++i]!);
  }
  return out;
}

export interface SlotEvents {
  running(key: string): void;
  taskStates(states: SubtaskStateReport[]): void;
  checkpoint(report: CheckpointReport): void;
  ended(key: string, result: SlotResult): void;
  log(line: string): void;
}

export interface SlotOptions {
  tmId: string;
  slot: number;
  host: string;
  bufferTimeoutMs: number;
}

export class SlotWorkerHandle {
  private worker!: Worker;
  address!: EndpointAddress;
  /** Attempts this slot runs now. */
  private readonly attempts = new Set<string>();
  private readonly metricRequests = new Map<number, (text: string) => void>();
  private nextRequest = 1;
  private stopping = false;
  /** The worker could not be started again (its port was taken): deployments fail at once. */
  private unavailable: WeirError | undefined;
  /** The uncaught error that ended the worker, if one did. */
  private lastError: string | undefined;

  private constructor(
    private readonly options: SlotOptions,
    private readonly events: SlotEvents,
  ) {}

  static async start(options: SlotOptions, events: SlotEvents): Promise<SlotWorkerHandle> {
    const slot = new SlotWorkerHandle(options, events);
    await slot.spawn(0);
    return slot;
  }

  private spawn(port: number): Promise<void> {
    const data: SlotWorkerData = { entry: ENTRY, tmId: this.options.tmId, slot: this.options.slot, host: this.options.host, port, bufferTimeoutMs: this.options.bufferTimeoutMs };
    const worker = new Worker(BOOTSTRAP, { workerData: data, execArgv: workerExecArgv(process.execArgv), name: `slot-${this.options.slot}` });
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: FromSlot) => {
        if (m.type === 'ready') {
          ready = true;
          this.address = m.address;
          resolve();
        } else if (m.type === 'startFailed') {
          // The worker registered no listener and ends by itself.
          reject(new WeirError(errorCodeOf(m.code, 'SLOT_START_FAILED'), `slot ${this.options.slot}: ${m.message}`, true));
        } else {
          this.onMessage(m);
        }
      });
      worker.on('error', (err) => {
        this.lastError = `${err.name}: ${err.message}`;
        this.events.log(`slot ${this.options.slot}: uncaught ${this.lastError}`);
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new WeirError('SLOT_START_FAILED', `the worker thread of slot ${this.options.slot} exited with code ${code} while starting`, true));
        else if (worker === this.worker) this.onExit(code);
      });
    });
  }

  private onMessage(m: FromSlot): void {
    switch (m.type) {
      case 'running':
        this.events.running(m.key);
        return;
      case 'taskStates':
        this.events.taskStates(m.states);
        return;
      case 'checkpoint':
        this.events.checkpoint(m.report);
        return;
      case 'ended':
        this.attempts.delete(m.key);
        this.events.ended(m.key, m.result);
        return;
      case 'metrics':
        this.metricRequests.get(m.requestId)?.(m.text);
        this.metricRequests.delete(m.requestId);
        return;
      case 'log':
        this.events.log(m.line);
        return;
    }
  }

  /** The worker died (an uncaught error in job code, or out of memory): fail its attempts, start it again. */
  private onExit(code: number): void {
    for (const resolve of this.metricRequests.values()) resolve('');
    this.metricRequests.clear();
    if (this.stopping) return;
    const cause = this.lastError ? `: ${this.lastError}` : '';
    this.lastError = undefined;
    const message = `the worker thread of slot ${this.options.slot} on TaskManager ${this.options.tmId} exited with code ${code}${cause}`;
    this.failAttempts('SLOT_WORKER_DIED', message);
    this.events.log(`${message}; starting it again`);
    this.respawn();
  }

  private respawn(): void {
    this.unavailable = undefined;
    this.spawn(this.address.port).catch((err: unknown) => {
      this.unavailable = new WeirError('SLOT_UNAVAILABLE', `slot ${this.options.slot} on TaskManager ${this.options.tmId} could not start again: ${errorMessage(err)}`, true);
      this.failAttempts(this.unavailable.code, this.unavailable.message);
      this.events.log(this.unavailable.message);
    });
  }

  private failAttempts(code: ErrorCode, message: string): void {
    const keys = [...this.attempts];
    this.attempts.clear();
    for (const key of keys) this.events.ended(key, { state: 'FAILED', error: { code, message }, collected: [], records: [] });
  }

  private post(m: ToSlot): void {
    this.worker.postMessage(m);
  }

  deploy(deployment: DeploymentDescriptor, subtask: number): void {
    const key = attemptKey(deployment);
    if (this.unavailable) {
      // Fail this attempt (the restart may find the slot back) and try the slot again.
      this.events.ended(key, { state: 'FAILED', error: { code: this.unavailable.code, message: this.unavailable.message }, collected: [], records: [] });
      this.respawn();
      return;
    }
    this.attempts.add(key);
    this.post({ type: 'deploy', deployment, subtask });
  }

  cancel(key: string): void {
    if (this.attempts.has(key)) this.post({ type: 'cancel', key });
  }

  control(key: string, message: ControlMessage, vertexId?: string): void {
    if (this.attempts.has(key)) this.post({ type: 'control', key, message, ...(vertexId ? { vertexId } : {}) });
  }

  /** Prometheus text of the slot's task metrics ('' if the worker does not answer in time). */
  metrics(): Promise<string> {
    if (this.unavailable) return Promise.resolve('');
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.metricRequests.delete(requestId);
        resolve('');
      }, METRICS_TIMEOUT_MS);
      this.metricRequests.set(requestId, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      this.post({ type: 'metrics', requestId });
    });
  }

  /** Ends the worker thread: its tasks stop and its connections close, as on kill -9. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
  }
}
