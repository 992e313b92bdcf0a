/**
 * `weir run JOB --taskmanagers M [--slots S]`: one JobManager and M TaskManagers as child
 * processes on 127.0.0.1. Their output is ours; Ctrl-C cancels the job; the cluster stops
 * when the job ends, and children exit by themselves if this process dies.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WeirError } from '../errors/index.ts';
import type { ParsedArgs } from './args.ts';
import { positiveInt } from './args.ts';
import { clusterTotals, progressLine } from './cluster-progress.ts';

const WEIR = fileURLToPath(new URL('../../bin/weir.mjs', import.meta.url));

function start(args: string[], stderr: NodeJS.WritableStream, prefix: string, onLine?: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [WEIR, ...args], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  let pending = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      stderr.write(`${prefix}${line}\n`);
      onLine?.(line);
    }
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });

/** Scrapes the JobManager's /metrics every second and prints the progress line. */
function startProgress(url: () => string | undefined, stderr: NodeJS.WritableStream): { stop(): Promise<void> } {
  const tty = (stderr as { isTTY?: boolean }).isTTY === true;
  let stopped = false;
  let wakeUp: () => void = () => {};
  const loop = (async () => {
    let before = clusterTotals('');
    let at = Date.now();
    while (!stopped) {
      await new Promise<void>((r) => {
        wakeUp = r;
        setTimeout(r, 1000);
      });
      const base = url();
      if (stopped || !base) continue;
      try {
        const now = clusterTotals(await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2000) })).text());
        const t = Date.now();
        const line = progressLine(now, before, Math.max((t - at) / 1000, 1e-3));
        stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
        before = now;
        at = t;
      } catch {
        // The JobManager is starting or already gone: the next tick tries again or the loop ends.
      }
    }
    if (tty) stderr.write('\n');
  })();
  return {
    async stop() {
      stopped = true;
      wakeUp();
      await loop;
    },
  };
}

export async function runOnLocalCluster(args: ParsedArgs, jobPath: string, stderr: NodeJS.WritableStream): Promise<number> {
  const taskManagers = positiveInt(args.flags.get('taskmanagers'), 'taskmanagers')!;
  const parallelism = positiveInt(args.flags.get('parallelism'), 'parallelism');
  const slots = positiveInt(args.flags.get('slots'), 'slots') ?? Math.max(1, Math.ceil((parallelism ?? 1) / taskManagers));
  const config = Object.entries(args.config).map(([k, v]) => `-D${k}=${v}`);
  const jobArgs = Object.entries(args.jobArgs).flatMap(([k, v]) => [`--${k}`, v]);
  const tms: ChildProcess[] = [];
  let url: string | undefined;
  const jm = start(
    ['jobmanager', jobPath, '--cluster', '--rest-port', '0', ...(parallelism ? ['--parallelism', String(parallelism)] : []), ...config, '--', ...jobArgs],
    stderr,
    '',
    (line) => {
      const m = /REST API on (http:\/\/\S+)/.exec(line);
      if (!m || url) return;
      url = m[1]!;
      for (let i = 0; i < taskManagers; i++) tms.push(start(['taskmanager', '--jobmanager', url, '--slots', String(slots), ...config], stderr, `[tm-${i + 1}] `));
    },
  );
  stderr.write(`weir: local cluster with ${taskManagers} TaskManager(s) of ${slots} slot(s)\n`);
  const progress = startProgress(() => url, stderr);
  const cancel = () => jm.kill('SIGINT');
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  try {
    const code = await exited(jm);
    if (!url) throw new WeirError('CLUSTER_START_FAILED', `the JobManager exited with code ${code} before serving its REST API`, false);
    return code;
  } finally {
    await progress.stop();
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
    for (const tm of tms) tm.kill('SIGTERM');
    await Promise.all(tms.map(exited));
  }
}
