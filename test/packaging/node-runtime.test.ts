// One Node major everywhere: package.json's engines, the `node` devDependency that npm
// scripts (and so `npm test` and CI) run on, @types/node, and the images' base. Bumping one
// of them alone fails here; so does a test run on an older Node, which happens when the
// `node` package's install step did not put its binary in node_modules/.bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface PackageJson {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;

function supportedMajor(): number {
  const m = /^>=(\d+)$/.exec(pkg.engines.node);
  assert.ok(m, `engines.node is "${pkg.engines.node}"; write it as ">=N" with the Node major Weir is tested on`);
  return Number(m[1]);
}

function dockerfiles(): string[] {
  return ['images', 'examples'].flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).map((f) => join(dir, f)));
}

test('engines, the node and @types/node devDependencies and the image bases name one Node major', () => {
  const major = supportedMajor();
  assert.match(pkg.devDependencies.node ?? '', new RegExp(`^\\^${major}\\.`));
  assert.match(pkg.devDependencies['@types/node'] ?? '', new RegExp(`^\\^${major}\\.`));
  const bases = dockerfiles().flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^FROM\s+(node:\S+)/gm)].map((m) => `${file}: ${m[1]}`));
  assert.deepEqual(bases, [
    `images/operator.Dockerfile: node:${major}-bookworm-slim`,
    `images/operator.Dockerfile: node:${major}-bookworm-slim`,
    `images/runtime.Dockerfile: node:${major}-bookworm-slim`,
    `images/runtime.Dockerfile: node:${major}-bookworm-slim`,
  ]);
});

test('the tests run on the Node major package.json supports', () => {
  const running = Number(process.versions.node.split('.')[0]);
  assert.ok(
    running >= supportedMajor(),
    `the tests run on Node ${process.version}, but package.json says ${pkg.engines.node}: run them through npm (npm test), whose scripts find node_modules/.bin/node first, and run npm ci if that binary is missing`,
  );
});
