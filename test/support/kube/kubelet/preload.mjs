// Loaded into every process the test kubelet starts (NODE_OPTIONS --import). It makes the
// process see the cluster as a pod would: Service names resolve through the kubelet's DNS
// file with the pod's namespace search path, and listening on all interfaces means
// listening on the pod's own loopback address. Tests can install the resolver in their own
// process with installClusterResolver.
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { register, syncBuiltinESMExports } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

let config = { dnsFile: undefined, namespace: 'default', podIP: undefined };
let installed = false;

function records() {
  if (!config.dnsFile) return {};
  try {
    return JSON.parse(readFileSync(config.dnsFile, 'utf8')).records ?? {};
  } catch (err) {
    if (err && err.code === 'ENOENT') return {};
    throw err;
  }
}

/** The addresses for a name, following resolv.conf's search list (ndots:5), or undefined. */
export function clusterLookup(hostname) {
  const host = String(hostname).toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' && config.podIP) return [config.podIP];
  if (net.isIP(host)) return undefined;
  const table = records();
  const candidates = host.endsWith('.cluster.local')
    ? [host]
    : [`${host}.${config.namespace}.svc.cluster.local`, `${host}.svc.cluster.local`, `${host}.cluster.local`];
  for (const c of candidates) if (table[c]) return table[c];
  return undefined;
}

function pick(ips) {
  return ips[Math.floor(Math.random() * ips.length)];
}

const ANY = new Set(['0.0.0.0', '::', '']);

function patchListen() {
  const originalListen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listen(...args) {
    const podIP = config.podIP;
    const first = args[0];
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      if (typeof args[1] !== 'string') args.splice(1, 0, podIP);
      else if (ANY.has(args[1])) args[1] = podIP;
    } else if (first && typeof first === 'object' && !('path' in first) && !('fd' in first) && !('_handle' in first)) {
      if (first.host === undefined || ANY.has(first.host)) args[0] = { ...first, host: podIP };
    } else if (args.length === 0 || typeof first === 'function') {
      args.unshift(0, podIP);
    }
    return originalListen.apply(this, args);
  };
}

/** Resolves cluster names in this process from `dnsFile`; with `podIP`, binds "all interfaces" to it. */
export function installClusterResolver(options) {
  config = { ...config, ...options };
  if (installed) return;
  installed = true;
  const originalLookup = dns.lookup;
  dns.lookup = function lookup(hostname, opts, callback) {
    const cb = typeof opts === 'function' ? opts : callback;
    const o = typeof opts === 'object' && opts !== null ? opts : {};
    const ips = clusterLookup(hostname);
    if (!ips) return originalLookup.call(dns, hostname, opts, callback);
    process.nextTick(() => {
      if (o.all) cb(null, ips.map((address) => ({ address, family: 4 })));
      else cb(null, pick(ips), 4);
    });
    return {};
  };
  const originalPromiseLookup = dns.promises.lookup;
  dns.promises.lookup = async function lookup(hostname, opts) {
    const ips = clusterLookup(hostname);
    if (!ips) return originalPromiseLookup.call(dns.promises, hostname, opts);
    const o = typeof opts === 'object' && opts !== null ? opts : {};
    return o.all ? ips.map((address) => ({ address, family: 4 })) : { address: pick(ips), family: 4 };
  };
  syncBuiltinESMExports();
  if (config.podIP) patchListen();
}

// fs functions whose first argument is a path; the TWO_PATHS ones take a second path too.
const PATH_FUNCTIONS = [
  'access', 'appendFile', 'chmod', 'chown', 'copyFile', 'cp', 'createReadStream', 'createWriteStream', 'exists', 'lchown',
  'lutimes', 'link', 'lstat', 'mkdir', 'mkdtemp', 'open', 'opendir', 'readdir', 'readFile', 'readlink', 'realpath', 'rename',
  'rm', 'rmdir', 'stat', 'statfs', 'truncate', 'unlink', 'utimes', 'watch', 'watchFile', 'unwatchFile', 'writeFile',
];
const TWO_PATHS = new Set(['copyFile', 'cp', 'link', 'rename']);

/**
 * Applies a container's volume mounts (mountPath -> host directory) to this process's
 * file system calls, standing in for the mount namespace a container runtime would set up.
 * Paths under `hostPaths` (the kubelet's own files, the image's files on the host) are
 * never redirected: a mount at /tmp must not hide a kubelet state directory under /tmp.
 */
export function installMounts(table, hostPaths = []) {
  const entries = Object.entries(table).sort((a, b) => b[0].length - a[0].length);
  if (entries.length === 0) return;
  const kept = (abs) => hostPaths.some((h) => abs === h || abs.startsWith(`${h}/`));
  const translate = (p) => {
    let s;
    if (typeof p === 'string') s = p;
    else if (p instanceof URL && p.protocol === 'file:') s = fileURLToPath(p);
    else return p;
    const abs = resolvePath(s);
    if (kept(abs)) return p;
    for (const [mount, host] of entries) {
      if (abs === mount || abs.startsWith(`${mount}/`)) return host + abs.slice(mount.length);
    }
    return p;
  };
  const wrap = (target, name, two) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    const wrapped = function (...args) {
      args[0] = translate(args[0]);
      if (two) args[1] = translate(args[1]);
      return original.apply(this, args);
    };
    Object.assign(wrapped, original);
    target[name] = wrapped;
  };
  for (const name of PATH_FUNCTIONS) {
    wrap(fs, name, TWO_PATHS.has(name));
    wrap(fs, `${name}Sync`, TWO_PATHS.has(name));
    wrap(fs.promises, name, TWO_PATHS.has(name));
  }
  syncBuiltinESMExports();
  // Imports of modules under a mount (a job in the image, say) go through the loader, not fs.
  register('./mount-hooks.mjs', import.meta.url, { data: { mounts: Object.fromEntries(entries), hostPaths } });
}

if (process.env.WEIR_KUBE_MOUNTS) installMounts(JSON.parse(process.env.WEIR_KUBE_MOUNTS), JSON.parse(process.env.WEIR_KUBE_HOST_PATHS ?? '[]'));

if (process.env.WEIR_KUBE_DNS_FILE) {
  // A container must not outlive its kubelet: if the test process dies without stopping
  // us, we are re-parented, and go too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  }, 500).unref();
  installClusterResolver({
    dnsFile: process.env.WEIR_KUBE_DNS_FILE,
    namespace: process.env.WEIR_KUBE_POD_NAMESPACE ?? 'default',
    podIP: process.env.WEIR_KUBE_POD_IP,
  });
}
