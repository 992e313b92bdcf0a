// The images install production dependencies only (`npm ci --omit=dev`), so every package
// that bin/ and src/ load at run time must be listed under "dependencies", or the pods
// fail at start with ERR_MODULE_NOT_FOUND.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !/\.test\.[a-z]+$/.test(name)) out.push(path);
  }
  return out;
}

/** Packages a file loads at run time: static and dynamic imports, not `import type`. */
function runtimePackages(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'))
    .map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/'));
}

test('import scanning sees value imports and dynamic imports, not type-only ones', () => {
  const source = [
    "import { register } from 'tsx/esm/api';",
    "import type { KubeConfig } from '@kubernetes/client-node';",
    "import * as k8s from '@kubernetes/client-node';",
    "export { x } from 'kafkajs';",
    "const m = await import('prom-client');",
    "import { readFileSync } from 'node:fs';",
    "import { a } from './a.ts';",
  ].join('\n');
  assert.deepEqual(runtimePackages(source), ['tsx', '@kubernetes/client-node', 'kafkajs', 'prom-client']);
});

test('every package bin/ and src/ import at run time is a production dependency', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; dependencies?: Record<string, string> };
  const production = new Set(Object.keys(pkg.dependencies ?? {}));
  const missing = new Set<string>();
  for (const file of [...sourceFiles('bin'), ...sourceFiles('src')]) {
    for (const name of runtimePackages(readFileSync(file, 'utf8'))) {
      if (name !== pkg.name && !production.has(name)) missing.add(`${name} (${file})`);
    }
  }
  assert.deepEqual([...missing], [], 'move these to "dependencies" in package.json so the images install them');
});
