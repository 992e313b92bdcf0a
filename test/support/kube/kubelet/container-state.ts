// Per-container bookkeeping of the kubelet and its rendering as a v1 ContainerStatus.
import type { JsonObject } from '../types.ts';
import { nowTime } from '../types.ts';
import type { ContainerProcess, ExitInfo } from './container.ts';
import type { Prober } from './probes.ts';

export class ContainerState {
  proc: ContainerProcess | undefined;
  restartCount = 0;
  state: JsonObject = { waiting: { reason: 'ContainerCreating' } };
  lastState: JsonObject = {};
  ready = false;
  readiness: Prober | undefined;
  startup: Prober | undefined;
  /** False while a startup probe has not passed yet. */
  started = false;
  liveness: Prober | undefined;
  /** Next restart delay; 0 until the first restart, as the kubelet's backoff starts after one. */
  backoffMs = 0;
  restartTimer: NodeJS.Timeout | undefined;
  /** Exited and will not be restarted. */
  done = false;
  lastExit: ExitInfo | undefined;
  private logText = '';
  /** Output of the previous run, what `kubectl logs --previous` shows. */
  previousLog: string | undefined;

  constructor(
    public spec: JsonObject,
    readonly init: boolean,
  ) {}

  get name(): string {
    return String(this.spec.name ?? '');
  }

  get image(): string {
    return String(this.spec.image ?? '');
  }

  /** Followers of the output (`kubectl logs -f`), called with each new chunk. */
  readonly logListeners = new Set<(text: string) => void>();

  appendLog(chunk: Buffer, limit: number, echo: boolean, prefix: string): void {
    const text = chunk.toString('utf8');
    this.logText = (this.logText + text).slice(-limit);
    for (const listener of this.logListeners) listener(text);
    if (echo) process.stderr.write(text.split('\n').filter((l) => l !== '').map((l) => `${prefix} ${l}\n`).join(''));
  }

  get log(): string {
    return this.logText;
  }

  /** A restart starts a fresh log; the old one stays readable as the previous. */
  rotateLog(): void {
    this.previousLog = this.logText;
    this.logText = '';
  }

  stopProbes(): void {
    this.startup?.stop();
    this.startup = undefined;
    this.readiness?.stop();
    this.liveness?.stop();
    this.readiness = undefined;
    this.liveness = undefined;
  }

  terminatedState(exit: ExitInfo, logLimit = 2048): JsonObject {
    const t: JsonObject = {
      exitCode: exit.exitCode, reason: exit.reason, startedAt: nowTime(exit.startedAt), finishedAt: nowTime(exit.finishedAt),
      containerID: this.proc?.id,
    };
    if (exit.signal) t.signal = exit.signal === 'SIGKILL' ? 9 : exit.signal === 'SIGTERM' ? 15 : undefined;
    if (exit.message) t.message = exit.message;
    else if (exit.exitCode !== 0 && this.spec.terminationMessagePolicy === 'FallbackToLogsOnError') {
      // The last 80 lines or 2 KiB of output, whichever is shorter.
      t.message = this.logText.split('\n').slice(-80).join('\n').slice(-Math.min(2048, logLimit));
    }
    return { terminated: t };
  }

  toStatus(): JsonObject {
    const out: JsonObject = {
      name: this.name,
      state: this.state,
      lastState: this.lastState,
      ready: this.ready,
      restartCount: this.restartCount,
      image: this.image,
      imageID: `weir-local://${this.image}`,
      started: this.state.running !== undefined && this.started,
    };
    if (this.proc) out.containerID = this.proc.id;
    return out;
  }
}
