/**
 * A Kubernetes test cluster that runs the README's images as local processes, reached with
 * the real kubectl and helm binaries: what "Run on Kubernetes" does with kind and docker,
 * without either. `weir-operator` runs `weir operator`, `weir-runtime` runs `weir`, and
 * `weir-fraud-detection` is the runtime with examples/ as its /opt/weir/job.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeCluster, REPO_ROOT } from '../support/kube/index.ts';
import type { ImageSpec, KubeCluster } from '../support/kube/index.ts';
import { runLayerBinary } from '../support/helm/layer-binary.ts';
import type { ToolResult } from '../support/helm/layer-binary.ts';

const WEIR = [process.execPath, `${REPO_ROOT}bin/weir.mjs`];
const RUNTIME: ImageSpec = { entrypoint: WEIR, commands: { weir: WEIR, node: [process.execPath] }, workingDir: REPO_ROOT };

/** The images of the README, by repository. */
export const README_IMAGES: Record<string, ImageSpec> = {
  'weir-operator': { ...RUNTIME, cmd: ['operator'] },
  'weir-runtime': RUNTIME,
  'weir-fraud-detection': { ...RUNTIME, files: { '/opt/weir/job': join(REPO_ROOT, 'examples') } },
};

export interface E2eCluster {
  cluster: KubeCluster;
  /** The kubeconfig file kubectl and helm use (also what a developer exports as KUBECONFIG). */
  kubeconfig: string;
  kubectl(args: readonly string[], input?: string): Promise<ToolResult>;
  helm(args: readonly string[]): Promise<ToolResult>;
  stop(): Promise<void>;
}

export interface E2eOptions {
  /** Called with each command line and its result, for a transcript. */
  onCommand?: (line: string, result: ToolResult) => void;
  /** Restart back-off of the kubelet (default: the real one, 10 s doubling to 5 min). */
  backoff?: { initialMs: number; maxMs: number };
  /** Copy pod output to stderr. */
  echoLogs?: boolean;
  /** Run startup and readiness probes at least this often (default: as each pod says). */
  probeMaxPeriodMs?: number;
}

export async function startE2eCluster(opts: E2eOptions = {}): Promise<E2eCluster> {
  // No CRD is loaded: helm installs it from the chart, as on a real cluster.
  const cluster = await startKubeCluster({
    kubelet: { images: (image) => README_IMAGES[image.replace(/@.*$/, '').replace(/:[^/:]*$/, '')], backoff: opts.backoff, echoLogs: opts.echoLogs, probeMaxPeriodMs: opts.probeMaxPeriodMs },
  });
  const dir = mkdtempSync(join(tmpdir(), 'weir-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.server.kubeconfigYaml);
  const run = async (tool: 'kubectl' | 'helm', args: readonly string[], input?: string): Promise<ToolResult> => {
    const result = await runLayerBinary(tool, args, { kubeconfig, input, cacheDir: join(dir, 'cache') });
    opts.onCommand?.(`${tool} ${args.map((a) => (/[\s'"{}]/.test(a) ? `'${a}'` : a)).join(' ')}`, result);
    return result;
  };
  return {
    cluster,
    kubeconfig,
    kubectl: (args, input) => run('kubectl', args, input),
    helm: (args) => run('helm', args),
    stop: async () => {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
