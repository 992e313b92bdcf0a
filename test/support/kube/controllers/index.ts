// Starts the in-process controllers that a real control plane runs next to the API server.
import type { KubeApi } from '../api/api.ts';
import { deploymentPass } from './deployments.ts';
import { endpointsPass } from './endpoints.ts';
import { gcPass } from './gc.ts';
import { runOnChanges } from './loop.ts';
import { namespacePass } from './namespaces.ts';
import { nodeLifecyclePass } from './node-lifecycle.ts';
import { schedulerPass } from './scheduler.ts';
import { replicaSetPass } from './replicasets.ts';
import { rootCaPass } from './root-ca.ts';
import { volumeReclaimPass } from './volumes.ts';

export interface ControllerOptions {
  /** How long a node may be not Ready before its pods are evicted (real default: 300s). */
  podEvictionTimeoutMs?: number;
}

export function startControllers(api: KubeApi, opts: ControllerOptions = {}): () => void {
  const evictionMs = opts.podEvictionTimeoutMs ?? 300_000;
  let evictionTimer: NodeJS.Timeout | undefined;
  const lifecycle = (): void => {
    const due = nodeLifecyclePass(api, evictionMs);
    if (evictionTimer) clearTimeout(evictionTimer);
    evictionTimer = due === undefined ? undefined : setTimeout(lifecycle, due + 10);
  };
  const stops = [
    runOnChanges(api.store, 'scheduler', ['/pods', '/nodes'], () => schedulerPass(api)),
    runOnChanges(api.store, 'node-lifecycle', ['/nodes', '/pods'], lifecycle),
    () => {
      if (evictionTimer) clearTimeout(evictionTimer);
    },
    runOnChanges(api.store, 'garbage-collector', undefined, () => gcPass(api)),
    runOnChanges(api.store, 'namespace', undefined, () => namespacePass(api)),
    runOnChanges(api.store, 'deployment', ['apps/deployments', 'apps/replicasets', '/pods'], () => deploymentPass(api)),
    runOnChanges(api.store, 'replicaset', ['apps/replicasets', '/pods'], () => replicaSetPass(api)),
    runOnChanges(api.store, 'root-ca-cert-publisher', ['/namespaces', '/configmaps'], () => rootCaPass(api)),
    runOnChanges(api.store, 'persistent-volume', ['/persistentvolumes', '/persistentvolumeclaims'], () => volumeReclaimPass(api)),
    runOnChanges(api.store, 'endpoints', ['/services', '/pods', '/endpoints', 'discovery.k8s.io/endpointslices'], () => endpointsPass(api)),
  ];
  return () => {
    for (const s of stops) s();
  };
}
