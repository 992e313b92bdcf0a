/**
 * Where a path inside a runtime pod lives: on which volume of the pod (as the user's pod template
 * and the operator's own volumes make it), and whether other pods see the same files there.
 * Pure: it reads the spec's pod templates, never the cluster.
 */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import type { Component } from '../children/names.ts';
import { SHARED_MOUNTS, sharedVolumes } from '../children/pod-spec.ts';

/** Volume sources whose files every pod that mounts the same source sees (hostPath: on the same node). */
const SHARED_SOURCES = ['persistentVolumeClaim', 'hostPath', 'nfs', 'cephfs', 'glusterfs', 'azureFile'] as const;

export type PathPlace =
  | { kind: 'pod-disk' }
  | { kind: 'per-pod'; volume: string; source: string }
  | { kind: 'read-only'; volume: string }
  /** `identity` names the files: equal identities in two pods are the same files. */
  | { kind: 'shared'; volume: string; source: string; identity: string };

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function records(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

/** The user's volumes and the main container's mounts, with the operator's own (which win by name). */
function podVolumes(spec: StreamDeploymentSpec, component: Component): { volumes: Json[]; mounts: Json[] } {
  const template = (component === 'jobmanager' ? spec.jobManager : spec.taskManager)?.podTemplate;
  const podSpec = isRecord(template?.spec) ? template.spec : {};
  const main = records(podSpec.containers).find((c) => c.name === component);
  const operatorVolumes: Json[] = sharedVolumes('');
  const operatorMounts: Json[] = SHARED_MOUNTS;
  const byName = (own: Json[], user: Json[]) => [...user.filter((u) => !own.some((o) => o.name === u.name)), ...own];
  return { volumes: byName(operatorVolumes, records(podSpec.volumes)), mounts: byName(operatorMounts, records(main?.volumeMounts)) };
}

/** A volume's source as `kind name-or-path`, e.g. `persistentVolumeClaim fraud-state`. */
function describeSource(kind: string, source: unknown): string {
  if (!isRecord(source)) return kind;
  const id = source.claimName ?? source.path ?? source.name ?? source.secretName ?? source.shareName;
  const server = typeof source.server === 'string' ? `${source.server}:` : '';
  return typeof id === 'string' ? `${kind} ${server}${id}` : kind;
}

/** Where an absolute path of the `component` pods' main container lives. */
export function placeOfPath(spec: StreamDeploymentSpec, component: Component, path: string): PathPlace {
  const { volumes, mounts } = podVolumes(spec, component);
  const under = (mountPath: string) => path === mountPath || path.startsWith(`${mountPath.replace(/\/+$/, '')}/`);
  const mount = mounts
    .filter((m) => typeof m.mountPath === 'string' && under(m.mountPath))
    .sort((a, b) => String(b.mountPath).length - String(a.mountPath).length)[0];
  const volume = mount === undefined ? undefined : volumes.find((v) => v.name === mount.name);
  if (mount === undefined || volume === undefined) return { kind: 'pod-disk' };
  const name = String(volume.name);
  const kind = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
  const source = describeSource(kind, volume[kind]);
  if (!(SHARED_SOURCES as readonly string[]).includes(kind)) return { kind: 'per-pod', volume: name, source };
  if (mount.readOnly === true) return { kind: 'read-only', volume: name };
  const subPath = typeof mount.subPath === 'string' && mount.subPath !== '' ? `/${mount.subPath}` : '';
  const rest = path.slice(String(mount.mountPath).replace(/\/+$/, '').length);
  return { kind: 'shared', volume: name, source, identity: `${source}${subPath}${rest}` };
}
