/**
 * A `weir` command run as its own process, as users run it: tests read what it prints and
 * wait for its exit. Output is collected from the start, so nothing printed before a test
 * looks is lost.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const WEIR = resolve('bin/weir.mjs');

export interface WeirProcess {
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** The exit code, or null when a signal ended it. */
  exited: Promise<number | null>;
}

export function startWeir(args: string[]): WeirProcess {
  const child = spawn(process.execPath, [WEIR, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    // 'close', not 'exit': by then everything the process wrote has been read.
    exited: new Promise((r) => child.on('close', (code) => r(code))),
  };
}

/** The URL of the `REST API on http://…` line a JobManager prints, once it has printed it. */
export function restAddress(jm: WeirProcess): string | undefined {
  return /REST API on (http:\/\/\S+)/.exec(jm.stderr())?.[1];
}
