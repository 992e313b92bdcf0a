// The pod table of `kubectl get pods`: READY, STATUS and RESTARTS worked out from the
// container statuses the way Kubernetes' printPod does.
import type { KubeObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { since } from './human-duration.ts';
import type { Printer } from './printer.ts';
import { NAME, column } from './printer.ts';

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string; exitCode?: number; signal?: number } };
  lastState?: { terminated?: { finishedAt?: string } };
}

function statuses(v: unknown): ContainerStatus[] {
  return Array.isArray(v) ? v.filter(isRecord) as ContainerStatus[] : [];
}

function terminatedReason(t: { reason?: string; exitCode?: number; signal?: number }, prefix = ''): string {
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode ?? 0}`;
}

export const podPrinter: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 0, 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 0, 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 0, 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    column('Age', 'string', 0, 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
    column('IP', 'string', 1, 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    column('Node', 'string', 1, 'NodeName is a request to schedule this pod onto a specific node.'),
    column('Nominated Node', 'string', 1, 'nominatedNodeName is set only when this pod preempts other pods on the node.'),
    column('Readiness Gates', 'string', 1, 'If specified, all readiness gates will be evaluated for pod readiness.'),
  ],
  cells(pod: KubeObject, now: number): unknown[] {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const status = isRecord(pod.status) ? pod.status : {};
    const containers = Array.isArray(spec.containers) ? spec.containers : [];
    const inits = Array.isArray(spec.initContainers) ? spec.initContainers : [];
    let reason = typeof status.reason === 'string' && status.reason !== '' ? status.reason : String(status.phase ?? 'Pending');
    let restarts = 0;
    let lastRestart = '';
    const noteRestart = (c: ContainerStatus): void => {
      restarts += c.restartCount ?? 0;
      const finished = c.lastState?.terminated?.finishedAt;
      if (finished && finished > lastRestart) lastRestart = finished;
    };
    let initializing = false;
    statuses(status.initContainerStatuses).some((c, i) => {
      noteRestart(c);
      const t = c.state?.terminated;
      if (t && t.exitCode === 0) return false;
      if (t) reason = terminatedReason(t, 'Init:');
      else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
      else reason = `Init:${i}/${inits.length}`;
      initializing = true;
      return true;
    });
    let ready = 0;
    if (!initializing) {
      restarts = 0;
      lastRestart = '';
      let running = false;
      for (const c of statuses(status.containerStatuses).reverse()) {
        noteRestart(c);
        const t = c.state?.terminated;
        if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
        else if (t) reason = terminatedReason(t);
        else if (c.ready && c.state?.running) {
          running = true;
          ready++;
        }
      }
      const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
      if (reason === 'Completed' && running) reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
    const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
    if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
    else if (pod.metadata.deletionTimestamp && !terminal) reason = 'Terminating';
    const restartText = restarts !== 0 && lastRestart !== '' ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);
    const ips = Array.isArray(status.podIPs) ? status.podIPs.filter(isRecord) : [];
    const gates = Array.isArray(spec.readinessGates) ? spec.readinessGates : [];
    return [
      pod.metadata.name, `${ready}/${containers.length}`, reason, restartText, since(pod.metadata.creationTimestamp, now),
      String(ips[0]?.ip ?? status.podIP ?? '<none>'), String(spec.nodeName ?? '<none>'), String(status.nominatedNodeName ?? '<none>'),
      gates.length === 0 ? '<none>' : `0/${gates.length}`,
    ];
  },
};
