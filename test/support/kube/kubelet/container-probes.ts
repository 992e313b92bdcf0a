// Wires a running container's probes: a startup probe first (readiness and liveness wait
// for it), then readiness (sets ready) and liveness (kills the container to restart it).
import { isRecord } from '../types.ts';
import type { ContainerState } from './container-state.ts';
import { Prober } from './probes.ts';

export function startProbes(c: ContainerState, podIP: string, kill: () => void, changed: () => void): void {
  if (isRecord(c.spec.startupProbe)) {
    c.started = false;
    c.startup = new Prober(c.spec.startupProbe, c.spec, podIP, false, (ok) => {
      c.startup?.stop();
      c.startup = undefined;
      if (ok) {
        c.started = true;
        startRunningProbes(c, podIP, kill, changed);
      } else {
        kill();
      }
      changed();
    }, true);
    return;
  }
  startRunningProbes(c, podIP, kill, changed);
}

function startRunningProbes(c: ContainerState, podIP: string, kill: () => void, changed: () => void): void {
  if (!isRecord(c.spec.readinessProbe)) c.ready = true;
  if (isRecord(c.spec.readinessProbe)) {
    c.readiness = new Prober(c.spec.readinessProbe, c.spec, podIP, false, (ok) => {
      c.ready = ok;
      changed();
    });
  }
  if (isRecord(c.spec.livenessProbe)) {
    c.liveness = new Prober(c.spec.livenessProbe, c.spec, podIP, true, (ok) => {
      if (!ok) kill();
    });
  }
}
