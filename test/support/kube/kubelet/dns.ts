// The cluster DNS as a file the in-pod resolver reads: Service names (from their
// Endpoints' ready addresses) and pod hostname.subdomain records, by fully qualified name.
import { renameSync, writeFileSync } from 'node:fs';
import type { KubeApi } from '../api/api.ts';
import { isRecord } from '../types.ts';

export const CLUSTER_DOMAIN = 'cluster.local';

export function dnsRecords(api: KubeApi): Record<string, string[]> {
  const records: Record<string, string[]> = {};
  for (const svc of api.store.list('/services')) {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    const ep = api.store.get('/endpoints', ns, name);
    const ips: string[] = [];
    for (const subset of ep && Array.isArray(ep.subsets) ? ep.subsets.filter(isRecord) : []) {
      for (const a of Array.isArray(subset.addresses) ? subset.addresses.filter(isRecord) : []) if (typeof a.ip === 'string') ips.push(a.ip);
    }
    records[`${name}.${ns}.svc.${CLUSTER_DOMAIN}`] = ips;
  }
  for (const pod of api.store.list('/pods')) {
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const status = isRecord(pod.status) ? pod.status : {};
    if (typeof spec.hostname === 'string' && typeof spec.subdomain === 'string' && typeof status.podIP === 'string') {
      records[`${spec.hostname}.${spec.subdomain}.${pod.metadata.namespace ?? ''}.svc.${CLUSTER_DOMAIN}`] = [status.podIP];
    }
  }
  return records;
}

/** Replaces the file atomically so a reader never sees half of it. */
export function writeDnsFile(path: string, records: Record<string, string[]>): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ search: ['svc', CLUSTER_DOMAIN], records }));
  renameSync(tmp, path);
}
