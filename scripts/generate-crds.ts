/**
 * `npm run crds`: writes the StreamDeployment CRD, generated from its TypeScript schema, to
 * crds/ and into the Helm chart. `--check` writes nothing and exits 1 when either file differs.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdYaml, CRD_PATHS } from '../src/kube-operator/crd/render-crd.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const yaml = renderCrdYaml();
const check = process.argv.includes('--check');
let stale = 0;
for (const path of CRD_PATHS) {
  const file = join(root, path);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === yaml) continue;
  if (check) {
    console.error(`${path} is out of date with src/kube-operator/crd/stream-deployment-schema.ts; run "npm run crds"`);
    stale++;
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, yaml);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
