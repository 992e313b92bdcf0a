// Loaded into every process the test kubelet starts (NODE_OPTIONS --import). It makes the
// process see the cluster as a pod would: Service names resolve to their ready pods'
// addresses (from the kubelet's DNS file, with the pod's namespace search path), and
// listening on all interfaces means listening on the pod's own loopback address.
import dns from 'node:dns';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const file = process.env.WEIR_KUBE_DNS_FILE;
const namespace = process.env.WEIR_KUBE_POD_NAMESPACE ?? 'default';
const podIP = process.env.WEIR_KUBE_POD_IP;
// Resolves, but nothing listens there: connections are refused, like a Service without endpoints.
const NO_ENDPOINTS = '127.255.255.254';

function records() {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')).records ?? {};
  } catch (err) {
    if (err && err.code === 'ENOENT') return {};
    throw err;
  }
}

/** The addresses for a name, following resolv.conf's search list (ndots:5), or undefined. */
export function clusterLookup(hostname) {
  const host = String(hostname).toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' && podIP) return [podIP];
  if (net.isIP(host)) return undefined;
  const table = records();
  const candidates = host.endsWith('.cluster.local')
    ? [host]
    : [`${host}.${namespace}.svc.cluster.local`, `${host}.svc.cluster.local`, `${host}.cluster.local`];
  for (const c of candidates) {
    const ips = table[c];
    if (ips) return ips.length > 0 ? ips : [NO_ENDPOINTS];
  }
  return undefined;
}

function pick(ips) {
  return ips[Math.floor(Math.random() * ips.length)];
}

const originalLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'object' && options !== null ? options : {};
  const ips = clusterLookup(hostname);
  if (!ips) return originalLookup.call(dns, hostname, options, callback);
  process.nextTick(() => {
    if (opts.all) cb(null, ips.map((address) => ({ address, family: 4 })));
    else cb(null, pick(ips), 4);
  });
  return {};
};

const originalPromiseLookup = dns.promises.lookup;
dns.promises.lookup = async function lookup(hostname, options) {
  const ips = clusterLookup(hostname);
  if (!ips) return originalPromiseLookup.call(dns.promises, hostname, options);
  const opts = typeof options === 'object' && options !== null ? options : {};
  return opts.all ? ips.map((address) => ({ address, family: 4 })) : { address: pick(ips), family: 4 };
};
syncBuiltinESMExports();

const ANY = new Set(['0.0.0.0', '::', '']);
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listen(...args) {
  if (podIP) {
    const first = args[0];
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      if (typeof args[1] !== 'string') args.splice(1, 0, podIP);
      else if (ANY.has(args[1])) args[1] = podIP;
    } else if (first && typeof first === 'object' && !('path' in first) && !('fd' in first) && !('_handle' in first)) {
      if (first.host === undefined || ANY.has(first.host)) args[0] = { ...first, host: podIP };
    } else if (args.length === 0 || typeof first === 'function') {
      args.unshift(0, podIP);
    }
  }
  return originalListen.apply(this, args);
};
