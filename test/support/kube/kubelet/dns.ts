// The cluster DNS as a file the in-pod resolver reads: a Service name resolves to its
// cluster IP (where the kubelet's proxy listens), a headless Service's to its ready pods'
// addresses, and pod hostname.subdomain records to the pod.
import { renameSync, writeFileSync } from 'node:fs';
import type { KubeApi } from '../api/api.ts';
import { isRecord } from '../types.ts';

export const CLUSTER_DOMAIN = 'cluster.local';

export function readyAddresses(api: KubeApi, ns: string, name: string): string[] {
  const ep = api.store.get('/endpoints', ns, name);
  const ips: string[] = [];
  for (const subset of ep && Array.isArray(ep.subsets) ? ep.subsets.filter(isRecord) : []) {
    for (const a of Array.isArray(subset.addresses) ? subset.addresses.filter(isRecord) : []) if (typeof a.ip === 'string') ips.push(a.ip);
  }
  return ips;
}

export function dnsRecords(api: KubeApi): Record<string, string[]> {
  const records: Record<string, string[]> = {};
  for (const svc of api.store.list('/services')) {
    const ns = svc.metadata.namespace ?? '';
    const name = svc.metadata.name ?? '';
    const spec = isRecord(svc.spec) ? svc.spec : {};
    const fqdn = `${name}.${ns}.svc.${CLUSTER_DOMAIN}`;
    if (typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None') {
      records[fqdn] = [spec.clusterIP];
    } else {
      // Headless: the pods themselves; no ready pods means no such name (NXDOMAIN).
      const ips = readyAddresses(api, ns, name);
      if (ips.length > 0) records[fqdn] = ips;
    }
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
