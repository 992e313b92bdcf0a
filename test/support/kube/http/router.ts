// Splits an API path into group/version/namespace/resource/name/subresource, including the
// legacy /watch/ prefix and the Namespace-vs-namespaced-resource ambiguity.
import type { Registry } from '../resources/registry.ts';
import type { ResourceType } from '../resources/types.ts';

export type Route =
  | { type: 'discovery'; path: string }
  | {
      type: 'resource';
      group: string;
      version: string;
      rt: ResourceType | undefined;
      plural: string;
      namespace?: string;
      name?: string;
      subresource?: string;
      legacyWatch: boolean;
    }
  | { type: 'unknown' };

export function route(registry: Registry, pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length <= 2) return { type: 'discovery', path: pathname };
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length <= 3) return { type: 'discovery', path: pathname };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { type: 'discovery', path: pathname };
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/<ns>/<plural>/... addresses a namespaced resource; /namespaces/<name>[/status|/finalize]
  // addresses the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const plural = rest[0];
  if (!plural || rest.length > 3) return { type: 'unknown' };
  const rt = registry.byPlural(group, version, plural);
  return { type: 'resource', group, version, rt, plural, namespace, name: rest[1], subresource: rest[2], legacyWatch };
}
