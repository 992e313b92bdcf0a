// One container run as a local process group: start, capture output, and stop with
// SIGTERM then SIGKILL after the grace period, as the container runtime would.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface ExitInfo {
  exitCode: number;
  signal?: string;
  reason: string;
  message?: string;
  startedAt: Date;
  finishedAt: Date;
}

export interface ContainerProcessOptions {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  onOutput: (chunk: Buffer) => void;
}

export class ContainerProcess {
  readonly startedAt = new Date();
  readonly id: string;
  private readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  constructor(opts: ContainerProcessOptions) {
    const [file, ...args] = opts.argv;
    // Its own process group, so the whole tree the container starts can be signalled.
    this.child = spawn(file!, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.id = `weir://${this.child.pid ?? 'failed'}-${Math.random().toString(16).slice(2, 10)}`;
    this.child.stdout?.on('data', opts.onOutput);
    this.child.stderr?.on('data', opts.onOutput);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        // spawn failures (no such executable) never produce an exit event.
        if (this.child.pid === undefined) {
          this.exitInfo = { exitCode: 128, reason: 'StartError', message: err.message, startedAt: this.startedAt, finishedAt: new Date() };
          resolve(this.exitInfo);
        }
      });
      this.child.once('exit', (code, signal) => {
        const signo = signal ? (constants.signals as Record<string, number>)[signal] ?? 9 : 0;
        const exitCode = code ?? 128 + signo;
        this.exitInfo = {
          exitCode, signal: signal ?? undefined, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: this.startedAt, finishedAt: new Date(),
        };
        // The container ends with its main process, as when PID 1 of a container exits.
        this.signal('SIGKILL', true);
        const info = this.exitInfo;
        // Let the last output drain (stdio closes after exit), but not wait on it forever.
        const timer = setTimeout(() => resolve(info), 200);
        this.child.once('close', () => {
          clearTimeout(timer);
          resolve(info);
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  signal(sig: NodeJS.Signals, evenAfterExit = false): void {
    if ((!this.running && !evenAfterExit) || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch (err) {
      // The group can be gone already (ESRCH) between the check and the signal.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  /** SIGTERM, then SIGKILL if still running after `graceMs`; resolves when it has exited. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (!this.running) {
      this.signal('SIGKILL', true);
      return this.exitInfo!;
    }
    this.signal(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = setTimeout(() => this.signal('SIGKILL'), Math.max(graceMs, 0));
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // Children the container left behind in its group go with it.
      this.signal('SIGKILL', true);
    }
  }
}
