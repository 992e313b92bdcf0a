// The images install production dependencies only (`npm ci --omit=dev`), so every package
// the `weir` command can load at run time must be listed under "dependencies", or the pods
// fail at start with ERR_MODULE_NOT_FOUND. Build-time code (e.g. the CRD renderer that
// scripts/ use) may import dev dependencies, so the check follows imports from the entry
// points instead of reading every file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !/\.test\.[a-z]+$/.test(name)) out.push(path);
  }
  return out;
}

/** Specifiers a file loads at run time: static and dynamic imports and re-exports, not `import type`. */
function runtimeSpecifiers(source: string): string[] {
  return [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
}

function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** Packages reachable from `roots` through relative imports, each with the file importing it. */
function reachablePackages(roots: readonly string[]): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = roots.map((r) => resolve(r));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      const name = packageName(specifier);
      if (name !== undefined) packages.set(name, packages.get(name) ?? relative('.', file));
      else if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
    }
  }
  return packages;
}

test('import scanning sees value imports, re-exports and dynamic imports, not type-only ones', () => {
  const source = [
    "import { register } from 'tsx/esm/api';",
    "import type { KubeConfig } from '@kubernetes/client-node';",
    "import * as k8s from '@kubernetes/client-node';",
    "export { x } from 'kafkajs';",
    "const m = await import('prom-client');",
    "import { readFileSync } from 'node:fs';",
    "import { a } from './a.ts';",
  ].join('\n');
  assert.deepEqual(runtimeSpecifiers(source).map(packageName), ['tsx', '@kubernetes/client-node', 'kafkajs', undefined, undefined, 'prom-client']);
});

test('every package the weir command and the modules a job may import load is a production dependency', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; dependencies?: Record<string, string> };
  const production = new Set(Object.keys(pkg.dependencies ?? {}));
  // bin/ is the entry point of both images; jobs import the API and the connectors.
  const roots = [...sourceFiles('bin'), 'src/api/index.ts', ...sourceFiles('src/connectors')];
  const reachable = reachablePackages(roots);
  assert.ok(reachable.has('tsx') && reachable.has('prom-client'), 'the import walk must reach the CLI and the runtime');
  const missing = [...reachable].filter(([name]) => name !== pkg.name && !production.has(name)).map(([name, file]) => `${name} (${file})`);
  assert.deepEqual(missing, [], 'move these to "dependencies" in package.json so the images install them');
});
