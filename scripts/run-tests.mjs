// Runs every *.test.ts under src/ and test/ with node's test runner, loading TypeScript through tsx.
// The files are listed here so that arguments can pick some: `npm run test:only -- cluster`.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';

function findTests(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const major = (version) => Number(version.replace(/^v/, '').split('.')[0]);

// The tests run on the Node package.json supports. npm scripts find the `node` devDependency
// in node_modules/.bin first; started some other way on an older Node, use that binary.
function testNode() {
  const engines = JSON.parse(readFileSync('package.json', 'utf8')).engines.node;
  const wanted = major(/\d+/.exec(engines)[0]);
  if (major(process.versions.node) >= wanted) return process.execPath;
  const local = resolve('node_modules/.bin/node');
  const localVersion = existsSync(local) ? execFileSync(local, ['--version'], { encoding: 'utf8' }).trim() : undefined;
  if (localVersion !== undefined && major(localVersion) >= wanted) {
    console.error(`run-tests: ${process.version} is older than package.json's engines (${engines}); the tests run on node_modules/.bin/node (${localVersion})`);
    return local;
  }
  console.error(`run-tests: the tests need Node ${engines} (package.json engines), this is ${process.version} and node_modules/.bin/node is ${localVersion ?? 'missing'}: run npm ci, which installs Node ${wanted} from the npm package "node"`);
  process.exit(1);
}

const filter = process.argv.slice(2);
let files = [...findTests('src', []), ...findTests('test', [])].sort();
if (filter.length > 0) files = files.filter((f) => filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// A test that leaves a socket or timer open must fail, not hang CI: each test gets a
// time limit and the runner exits when the tests are done.
const child = spawn(testNode(), ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', '--test-force-exit', ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
