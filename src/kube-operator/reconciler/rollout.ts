/** Reads a Deployment's rollout progress from its status, the way `kubectl rollout status` does. */
import type { JobManagerDeploymentStatus } from '../crd/stream-deployment-schema.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { HASH_ANNOTATION } from '../children/names.ts';

interface DeploymentShape {
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

/** All replicas run the current template and are ready, and no old pod is left. */
export function rolledOut(d: KubeObject | undefined): boolean {
  if (!d) return false;
  const { spec, status } = d as KubeObject & DeploymentShape;
  const want = spec?.replicas ?? 1;
  const s = status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.readyReplicas ?? 0) === want;
}

export function readyReplicas(d: KubeObject | undefined): number {
  return (d as (KubeObject & DeploymentShape) | undefined)?.status?.readyReplicas ?? 0;
}

/** Whether an observed child already matches the desired one. */
export function upToDate(observed: KubeObject | undefined, desired: KubeObject): boolean {
  const want = desired.metadata.annotations?.[HASH_ANNOTATION];
  return observed !== undefined && observed.metadata.annotations?.[HASH_ANNOTATION] === want;
}

/** `crashing`: its pod is in a crash loop (see crash-loop.ts). */
export function jobManagerDeploymentStatus(jm: KubeObject | undefined, changedNow: boolean, restReachable: boolean, crashing = false): JobManagerDeploymentStatus {
  if (!jm) return changedNow ? 'DEPLOYING' : 'MISSING';
  if (changedNow) return 'DEPLOYING';
  if (crashing) return 'ERROR';
  if (!rolledOut(jm)) return 'DEPLOYING';
  return restReachable ? 'READY' : 'DEPLOYED_NOT_READY';
}
