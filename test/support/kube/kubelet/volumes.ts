// Pod volumes as host directories: configMap, secret, downwardAPI and projected volumes
// are written out as files, emptyDir is a fresh directory, hostPath is the host path, and a
// persistentVolumeClaim is its volume's directory on this node (local-path.ts). Each
// container's volumeMounts become a mount table (mountPath -> host path) that the preloaded
// module applies to the process's file system calls.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubeApi } from '../api/api.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { getPath, isRecord } from '../types.ts';
import { EnvError } from './env.ts';
import { claimHostPath } from './local-path.ts';
import type { NodeDisk } from './local-path.ts';

function writeFiles(dir: string, files: Record<string, Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

function keyFiles(api: KubeApi, pod: KubeObject, src: JsonObject, kind: 'ConfigMap' | 'Secret'): Record<string, Buffer> {
  const name = String((kind === 'Secret' ? src.secretName : src.name) ?? src.name ?? '');
  const obj = api.tryGet('v1', kind, pod.metadata.namespace ?? '', name);
  if (!obj) {
    if (src.optional === true) return {};
    throw new EnvError(`MountVolume.SetUp failed: ${kind.toLowerCase()} "${name}" not found`);
  }
  const data = isRecord(obj.data) ? obj.data : {};
  const decode = (v: unknown): Buffer => (kind === 'Secret' ? Buffer.from(String(v), 'base64') : Buffer.from(String(v), 'utf8'));
  const files: Record<string, Buffer> = {};
  const items = Array.isArray(src.items) ? src.items.filter(isRecord) : undefined;
  if (items) {
    for (const item of items) if (data[String(item.key)] !== undefined) files[String(item.path)] = decode(data[String(item.key)]);
  } else {
    for (const [k, v] of Object.entries(data)) files[k] = decode(v);
  }
  if (kind === 'ConfigMap' && isRecord(obj.binaryData)) for (const [k, v] of Object.entries(obj.binaryData)) files[k] = Buffer.from(String(v), 'base64');
  return files;
}

function downwardFiles(pod: KubeObject, src: JsonObject): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const item of Array.isArray(src.items) ? src.items.filter(isRecord) : []) {
    if (!isRecord(item.fieldRef)) continue;
    const path = String(item.fieldRef.fieldPath ?? '');
    const value = path === 'metadata.labels' || path === 'metadata.annotations'
      ? Object.entries((getPath(pod, path) as Record<string, string> | undefined) ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n')
      : String(getPath(pod, path) ?? '');
    files[String(item.path)] = Buffer.from(value, 'utf8');
  }
  return files;
}

/** Writes the pod's volumes under `podDir` and returns volume name -> host directory. */
export function materializeVolumes(api: KubeApi, pod: KubeObject, podDir: string, node: NodeDisk): Record<string, string> {
  const out: Record<string, string> = {};
  const spec = isRecord(pod.spec) ? pod.spec : {};
  for (const v of Array.isArray(spec.volumes) ? spec.volumes.filter(isRecord) : []) {
    const name = String(v.name ?? '');
    const dir = join(podDir, 'volumes', name);
    if (isRecord(v.hostPath)) {
      out[name] = String(v.hostPath.path ?? '');
    } else if (isRecord(v.persistentVolumeClaim)) {
      out[name] = claimHostPath(api, pod, String(v.persistentVolumeClaim.claimName ?? ''), node);
    } else if (isRecord(v.emptyDir)) {
      mkdirSync(dir, { recursive: true });
      out[name] = dir;
    } else if (isRecord(v.configMap)) {
      writeFiles(dir, keyFiles(api, pod, v.configMap, 'ConfigMap'));
      out[name] = dir;
    } else if (isRecord(v.secret)) {
      writeFiles(dir, keyFiles(api, pod, v.secret, 'Secret'));
      out[name] = dir;
    } else if (isRecord(v.downwardAPI)) {
      writeFiles(dir, downwardFiles(pod, v.downwardAPI));
      out[name] = dir;
    } else if (isRecord(v.projected)) {
      const files: Record<string, Buffer> = {};
      for (const s of Array.isArray(v.projected.sources) ? v.projected.sources.filter(isRecord) : []) {
        if (isRecord(s.configMap)) Object.assign(files, keyFiles(api, pod, s.configMap, 'ConfigMap'));
        if (isRecord(s.secret)) Object.assign(files, keyFiles(api, pod, { ...s.secret, secretName: s.secret.name }, 'Secret'));
        if (isRecord(s.downwardAPI)) Object.assign(files, downwardFiles(pod, s.downwardAPI));
      }
      writeFiles(dir, files);
      out[name] = dir;
    }
  }
  return out;
}

/** mountPath -> host path for one container. */
export function mountTable(container: JsonObject, volumes: Record<string, string>): Record<string, string> {
  const table: Record<string, string> = {};
  for (const m of Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isRecord) : []) {
    const host = volumes[String(m.name ?? '')];
    if (host === undefined) continue;
    const mountPath = String(m.mountPath ?? '').replace(/\/+$/, '');
    table[mountPath] = typeof m.subPath === 'string' && m.subPath !== '' ? join(host, m.subPath) : host;
  }
  return table;
}

/** Names of the ConfigMaps and Secrets a pod's volumes read, to refresh them on change. */
export function volumeSources(pod: KubeObject): Set<string> {
  const out = new Set<string>();
  const spec = isRecord(pod.spec) ? pod.spec : {};
  for (const v of Array.isArray(spec.volumes) ? spec.volumes.filter(isRecord) : []) {
    if (isRecord(v.configMap)) out.add(`ConfigMap/${String(v.configMap.name)}`);
    if (isRecord(v.secret)) out.add(`Secret/${String(v.secret.secretName)}`);
    const sources = isRecord(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources.filter(isRecord) : [];
    for (const s of sources) {
      if (isRecord(s.configMap)) out.add(`ConfigMap/${String(s.configMap.name)}`);
      if (isRecord(s.secret)) out.add(`Secret/${String(s.secret.name)}`);
    }
  }
  return out;
}
