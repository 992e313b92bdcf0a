/**
 * Everything a StreamDeployment should own, as plain objects with owner references and a
 * hash annotation. The hash lets the operator tell "unchanged" from "changed" without
 * comparing fields the API server defaults.
 */
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { configMap, runtimeRbac } from './config-and-rbac.ts';
import { jobManagerDeployment, jobManagerService } from './job-manager.ts';
import type { ChildContext } from './job-manager.ts';
import { HASH_ANNOTATION } from './names.ts';
import { stableHash } from './stable-hash.ts';
import { taskManagerDeployment } from './task-manager.ts';

/** What makes a new job run when it changes (so both Deployments roll). */
export function clusterHash(sd: StreamDeployment): string {
  const { image, imagePullPolicy, serviceAccount, configuration, job } = sd.spec;
  return stableHash({ image, imagePullPolicy, serviceAccount, configuration, entry: job.entry, args: job.args, parallelism: job.parallelism, maxParallelism: job.maxParallelism, restartNonce: job.restartNonce });
}

export function withHash(o: KubeObject): KubeObject {
  const { metadata, ...rest } = o;
  return { ...o, metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), [HASH_ANNOTATION]: stableHash({ ...rest, labels: metadata.labels }) } } };
}

export function desiredChildren(sd: StreamDeployment): KubeObject[] {
  const c: ChildContext = {
    name: sd.metadata.name,
    namespace: sd.metadata.namespace,
    spec: sd.spec,
    clusterHash: clusterHash(sd),
    running: (sd.spec.job.state ?? 'running') === 'running',
  };
  const owner = { apiVersion: sd.apiVersion, kind: sd.kind, name: sd.metadata.name, uid: sd.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
  return [...runtimeRbac(c), configMap(c), jobManagerService(c), jobManagerDeployment(c), taskManagerDeployment(c)].map((o) =>
    withHash({ ...o, metadata: { ...o.metadata, ownerReferences: [owner] } }),
  );
}
