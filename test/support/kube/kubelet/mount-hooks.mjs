// Module resolution hooks for pod processes (registered by preload.mjs): an import of a
// path under a mount (a volume, or a directory of the container image) loads the host file
// it stands for. Hooks run on Node's loader thread, where the preload's fs redirection does
// not reach, so they translate the specifier themselves.
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let entries = [];
let hostPaths = [];

export function initialize(data) {
  entries = Object.entries(data.mounts).sort((a, b) => b[0].length - a[0].length);
  hostPaths = data.hostPaths;
}

function translate(path) {
  const abs = resolvePath(path);
  if (hostPaths.some((h) => abs === h || abs.startsWith(`${h}/`))) return undefined;
  for (const [mount, host] of entries) {
    if (abs === mount || abs.startsWith(`${mount}/`)) return host + abs.slice(mount.length);
  }
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  let path;
  if (specifier.startsWith('file:')) path = fileURLToPath(specifier);
  else if (isAbsolute(specifier)) path = specifier;
  const host = path === undefined ? undefined : translate(path);
  return nextResolve(host === undefined ? specifier : pathToFileURL(host).href, context);
}
