// Wires a running container's probes: a startup probe first (readiness and liveness wait
// for it), then readiness (sets ready) and liveness (kills the container to restart it).
// Exec probes run their command as a process in the container's context.
import { spawn } from 'node:child_process';
import { isRecord } from '../types.ts';
import type { ContainerState } from './container-state.ts';
import type { ImageSpec } from './images.ts';
import type { ExecProbe } from './probes.ts';
import { Prober } from './probes.ts';

export interface ExecContext {
  image: ImageSpec;
  env: Record<string, string>;
  cwd: string;
}

export function execProbe(ctx: ExecContext): ExecProbe {
  return (command, timeoutMs) => new Promise((resolve) => {
    if (command.length === 0) {
      resolve(false);
      return;
    }
    const argv = [...(ctx.image.commands?.[command[0]!] ?? [command[0]!]), ...command.slice(1)];
    const child = spawn(argv[0]!, argv.slice(1), { env: ctx.env, cwd: ctx.cwd, stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/**
 * `maxPeriodMs` caps the period of the startup and readiness probes (see Prober), so a test
 * sees a pod start and turn ready sooner; liveness keeps the pod's own schedule.
 */
export function startProbes(c: ContainerState, podIP: string, exec: ExecProbe, kill: () => void, changed: () => void, maxPeriodMs = Infinity): void {
  if (isRecord(c.spec.startupProbe)) {
    c.started = false;
    c.startup = new Prober(c.spec.startupProbe, c.spec, podIP, false, (ok) => {
      c.startup?.stop();
      c.startup = undefined;
      if (ok) {
        c.started = true;
        startRunningProbes(c, podIP, exec, kill, changed, maxPeriodMs);
      } else {
        kill();
      }
      changed();
    }, exec, true, maxPeriodMs);
    return;
  }
  startRunningProbes(c, podIP, exec, kill, changed, maxPeriodMs);
}

function startRunningProbes(c: ContainerState, podIP: string, exec: ExecProbe, kill: () => void, changed: () => void, maxPeriodMs: number): void {
  if (!isRecord(c.spec.readinessProbe)) c.ready = true;
  if (isRecord(c.spec.readinessProbe)) {
    c.readiness = new Prober(c.spec.readinessProbe, c.spec, podIP, false, (ok) => {
      c.ready = ok;
      changed();
    }, exec, false, maxPeriodMs);
  }
  if (isRecord(c.spec.livenessProbe)) {
    c.liveness = new Prober(c.spec.livenessProbe, c.spec, podIP, true, (ok) => {
      if (!ok) kill();
    }, exec);
  }
}
