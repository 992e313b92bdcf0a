// The PersistentVolume controller's reclaim step: a volume whose claim is gone is deleted when
// its reclaim policy says Delete (as provisioned volumes say), else Released.
import type { KubeApi } from '../api/api.ts';
import { isRecord } from '../types.ts';
import { reportControllerError } from './loop.ts';

export function volumeReclaimPass(api: KubeApi): void {
  for (const pv of api.list('v1', 'PersistentVolume')) {
    const spec = isRecord(pv.spec) ? pv.spec : {};
    const ref = isRecord(spec.claimRef) ? spec.claimRef : undefined;
    if (!ref || pv.metadata.deletionTimestamp) continue;
    const claim = api.tryGet('v1', 'PersistentVolumeClaim', String(ref.namespace ?? ''), String(ref.name ?? ''));
    if (claim && claim.metadata.uid === ref.uid) continue;
    try {
      if (spec.persistentVolumeReclaimPolicy === 'Delete') api.delete('v1', 'PersistentVolume', '', pv.metadata.name ?? '');
      else if (!isRecord(pv.status) || pv.status.phase !== 'Released') api.updateStatus({ ...pv, status: { phase: 'Released' } });
    } catch (err) {
      reportControllerError('persistent-volume', err);
    }
  }
}
