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
import { jobConfiguration } from './runtime-config.ts';
import type { RestoreFrom } from './runtime-config.ts';

/**
 * What makes a new job run when it changes (so both Deployments roll). `deployTime` is when the
 * operator deployed this run (status.reconciliation.deployTime, written before the children):
 * a deployment that changes nothing else (a resume, a rollback) is a new run too, and must not
 * find the job result store of the run before it, which would report that run's end.
 */
export function clusterHash(sd: StreamDeployment, restore?: RestoreFrom, deployTime?: number): string {
  const { image, imagePullPolicy, serviceAccount, job } = sd.spec;
  const configuration = jobConfiguration(sd.spec);
  return stableHash({ image, imagePullPolicy, serviceAccount, configuration, entry: job.entry, args: job.args, parallelism: job.parallelism, maxParallelism: job.maxParallelism, restartNonce: job.restartNonce, ...(restore ? { restore } : {}), deployTime });
}

export function withHash(o: KubeObject): KubeObject {
  const { metadata, ...rest } = o;
  return { ...o, metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), [HASH_ANNOTATION]: stableHash({ ...rest, labels: metadata.labels }) } } };
}

/** `restore`: the savepoint the job starts from (it goes into the runtime configuration); `deployTime`: when this run was deployed. */
export function desiredChildren(sd: StreamDeployment, restore?: RestoreFrom, deployTime?: number): KubeObject[] {
  const c: ChildContext = {
    name: sd.metadata.name,
    namespace: sd.metadata.namespace,
    spec: sd.spec,
    clusterHash: clusterHash(sd, restore, deployTime),
    running: (sd.spec.job.state ?? 'running') === 'running',
    restore,
  };
  const owner = { apiVersion: sd.apiVersion, kind: sd.kind, name: sd.metadata.name, uid: sd.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
  return [...runtimeRbac(c), configMap(c), jobManagerService(c), jobManagerDeployment(c), taskManagerDeployment(c)].map((o) =>
    withHash({ ...o, metadata: { ...o.metadata, ownerReferences: [owner] } }),
  );
}
