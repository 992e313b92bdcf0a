/**
 * `weir operator`: the Kubernetes operator for StreamDeployments. It talks to the API server
 * of its kubeconfig (in a pod: the in-cluster service account) and exits 1 when it loses
 * leadership, so its Deployment restarts it as a standby.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { WeirError } from '../errors/index.ts';
import { parseDuration } from '../runtime/config/duration.ts';
import { WeirOperator } from '../kube-operator/weir-operator.ts';
import { parseLockKind } from '../kube/leader-lock.ts';
import type { ParsedArgs } from './args.ts';
import { portFlag } from './args.ts';

function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new WeirError('INVALID_ARGUMENTS', `--${name} needs a value`, false);
  return v;
}

function bool(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new WeirError('INVALID_ARGUMENTS', `--${name} is true or false, got ${value}`, false);
}

export async function operatorCommand(args: ParsedArgs, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const log = (line: string) => stderr.write(`weir operator: ${line}\n`);
  const watch = flag(args, 'watch-namespaces') ?? process.env.WATCH_NAMESPACES ?? '';
  const httpPort = portFlag(args.flags.get('http-port'), 'http-port') ?? 8080;
  const kc = new KubeConfig();
  kc.loadFromDefault();
  // Unique per process, as client-go advises: a restarted container must not inherit the lease
  // of its previous run (same pod name) before that lease expires.
  const identity = `${process.env.POD_NAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
  const operator = new WeirOperator({
    kc,
    identity,
    namespaces: watch.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    workers: Number(flag(args, 'workers') ?? '8'),
    httpPort,
    leaderElection: {
      enabled: bool(flag(args, 'leader-elect'), 'leader-elect', true),
      lock: parseLockKind(flag(args, 'leader-election-lock') ?? 'leases', '--leader-election-lock'),
      leaseName: flag(args, 'lease-name') ?? 'weir-operator',
      leaseNamespace: flag(args, 'lease-namespace') ?? process.env.POD_NAMESPACE ?? 'default',
      leaseDurationMs: parseDuration(flag(args, 'lease-duration') ?? '15s', 'lease-duration'),
      renewDeadlineMs: parseDuration(flag(args, 'renew-deadline') ?? '10s', 'renew-deadline'),
      retryPeriodMs: parseDuration(flag(args, 'retry-period') ?? '2s', 'retry-period'),
    },
    log,
  });
  const port = await operator.start();
  log(`${identity} serving /metrics, /healthz and /readyz on port ${port}`);
  const outcome = await new Promise<'signal' | 'lost'>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    void operator.lost.then(() => resolve('lost'));
  });
  await operator.stop();
  return outcome === 'lost' ? 1 : 0;
}
