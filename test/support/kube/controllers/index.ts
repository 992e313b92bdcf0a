// Starts the in-process controllers that a real control plane runs next to the API server.
import type { KubeApi } from '../api/api.ts';
import { deploymentPass } from './deployments.ts';
import { endpointsPass } from './endpoints.ts';
import { gcPass } from './gc.ts';
import { runOnChanges } from './loop.ts';
import { namespacePass } from './namespaces.ts';
import { replicaSetPass } from './replicasets.ts';

export function startControllers(api: KubeApi): () => void {
  const stops = [
    runOnChanges(api.store, 'garbage-collector', undefined, () => gcPass(api)),
    runOnChanges(api.store, 'namespace', undefined, () => namespacePass(api)),
    runOnChanges(api.store, 'deployment', ['apps/deployments', 'apps/replicasets', '/pods'], () => deploymentPass(api)),
    runOnChanges(api.store, 'replicaset', ['apps/replicasets', '/pods'], () => replicaSetPass(api)),
    runOnChanges(api.store, 'endpoints', ['/services', '/pods', '/endpoints'], () => endpointsPass(api)),
  ];
  return () => {
    for (const s of stops) s();
  };
}
