// Discovery documents (/api, /apis, /apis/<group>, resource lists, /version) built from
// the registry, shaped like the real server's so clients can map kinds to resources.
import type { Registry } from '../resources/registry.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupVersion } from '../resources/types.ts';
import type { JsonObject } from '../types.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function groups(registry: Registry): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of registry.all()) {
    const versions = out.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    out.set(t.group, versions);
  }
  return out;
}

function apiGroup(name: string, versions: string[]): JsonObject {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

function resourceList(registry: Registry, group: string, version: string): JsonObject | undefined {
  const types = registry.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const t of types) {
    resources.push(mainResource(t));
    if (t.status) resources.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    if (t.scale) {
      resources.push({ name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    }
    if (t.group === '' && t.plural === 'pods') {
      resources.push({ name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] });
      resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

function mainResource(t: ResourceType): JsonObject {
  const r: JsonObject = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: VERBS };
  if (t.shortNames.length > 0) r.shortNames = t.shortNames;
  if (t.categories.length > 0) r.categories = t.categories;
  return r;
}

/** The discovery document for a path, or undefined for 404. */
export function discovery(registry: Registry, path: string, serverAddress: string): JsonObject | undefined {
  const p = path.replace(/\/+$/, '');
  const all = groups(registry);
  if (p === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (p === '/apis') {
    const list = [...all.entries()].filter(([g]) => g !== '').map(([g, v]) => apiGroup(g, v));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: list };
  }
  if (p === '/version') {
    return {
      major: '1', minor: '31', gitVersion: 'v1.31.0-weir-test', gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean', buildDate: '2024-08-13T00:00:00Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64',
    };
  }
  let m = /^\/api\/([^/]+)$/.exec(p);
  if (m) return resourceList(registry, '', m[1]!);
  m = /^\/apis\/([^/]+)$/.exec(p);
  if (m) {
    const versions = all.get(m[1]!);
    return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(m[1]!, versions) } : undefined;
  }
  m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (m) return resourceList(registry, m[1]!, m[2]!);
  return undefined;
}
