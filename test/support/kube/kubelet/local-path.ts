// PersistentVolumeClaims as kind serves them: the default StorageClass `standard` is Rancher's
// local-path provisioner, which binds a claim when its first consumer is on a node
// (WaitForFirstConsumer) and gives it a directory on that node's disk (a hostPath
// PersistentVolume with node affinity). Here the node is this kubelet and its disk the
// kubelet's state directory, so pods of one node that mount a claim share its files.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeApi } from '../api/api.ts';
import type { KubeObject } from '../types.ts';
import { isRecord } from '../types.ts';
import { EnvError } from './env.ts';

export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const DEFAULT_STORAGE_CLASS = 'standard';

/** kind's default StorageClass, which the server creates at start. */
export const STANDARD_STORAGE_CLASS = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: LOCAL_PATH_PROVISIONER,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
};

export interface NodeDisk {
  nodeName: string;
  /** Where this node keeps provisioned volumes. */
  stateDir: string;
}

function pvHostPath(pv: KubeObject): string | undefined {
  const spec = isRecord(pv.spec) ? pv.spec : {};
  if (isRecord(spec.hostPath) && typeof spec.hostPath.path === 'string') return spec.hostPath.path;
  if (isRecord(spec.local) && typeof spec.local.path === 'string') return spec.local.path;
  return undefined;
}

/** Provisions a directory on this node for a claim of the local-path class, and binds the claim to it. */
function provision(api: KubeApi, claim: KubeObject, node: NodeDisk): string {
  const ns = claim.metadata.namespace ?? '';
  const name = claim.metadata.name ?? '';
  const spec = isRecord(claim.spec) ? claim.spec : {};
  const pvName = `pvc-${claim.metadata.uid ?? ''}`;
  const dir = join(node.stateDir, 'local-path-provisioner', `${pvName}_${ns}_${name}`);
  // As local-path's helper pod does: any user of the pod may write there.
  mkdirSync(dir, { recursive: true, mode: 0o777 });
  const storage = isRecord(spec.resources) && isRecord(spec.resources.requests) ? spec.resources.requests.storage : undefined;
  const capacity = { storage: typeof storage === 'string' ? storage : '1Gi' };
  const accessModes = Array.isArray(spec.accessModes) ? spec.accessModes : ['ReadWriteOnce'];
  api.create({
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': LOCAL_PATH_PROVISIONER, 'local.path.provisioner/selected-node': node.nodeName } },
    spec: {
      capacity, accessModes, storageClassName: spec.storageClassName, persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Filesystem',
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion },
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node.nodeName] }] }] } },
    },
  });
  const pv = api.get('v1', 'PersistentVolume', '', pvName);
  api.updateStatus({ ...pv, status: { phase: 'Bound' } });
  const annotations = { ...claim.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/selected-node': node.nodeName, 'volume.kubernetes.io/storage-provisioner': LOCAL_PATH_PROVISIONER };
  const bound = api.update({ ...claim, metadata: { ...claim.metadata, annotations }, spec: { ...spec, volumeName: pvName } });
  api.updateStatus({ ...bound, status: { phase: 'Bound', accessModes, capacity } });
  return dir;
}

/** The host directory of a pod's claim, provisioning it when it waits for its first consumer; a claim that cannot be mounted (yet) is an EnvError the kubelet retries. */
export function claimHostPath(api: KubeApi, pod: KubeObject, claimName: string, node: NodeDisk): string {
  const ns = pod.metadata.namespace ?? '';
  const claim = api.tryGet('v1', 'PersistentVolumeClaim', ns, claimName);
  if (!claim || claim.metadata.deletionTimestamp) throw new EnvError(`persistentvolumeclaim "${claimName}" not found`);
  const spec = isRecord(claim.spec) ? claim.spec : {};
  if (typeof spec.volumeName === 'string' && spec.volumeName !== '') {
    const pv = api.tryGet('v1', 'PersistentVolume', '', spec.volumeName);
    const path = pv === undefined ? undefined : pvHostPath(pv);
    if (path === undefined) throw new EnvError(`persistentvolume "${spec.volumeName}" of claim "${claimName}" not found or not a local volume`);
    return path;
  }
  const storageClass = typeof spec.storageClassName === 'string' ? api.tryGet('storage.k8s.io/v1', 'StorageClass', '', spec.storageClassName) : undefined;
  if (storageClass?.provisioner !== LOCAL_PATH_PROVISIONER) throw new EnvError(`persistentvolumeclaim "${claimName}" is not bound, and no provisioner here serves its storage class`);
  return provision(api, claim, node);
}
