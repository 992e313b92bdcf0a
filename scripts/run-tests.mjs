// Runs every *.test.ts under src/ and test/ with node's test runner, loading TypeScript through tsx.
// The files are listed here so that arguments can pick some: `npm run test:only -- cluster`
// runs the files whose path contains "cluster"; an argument naming a file runs that file, and
// one naming a directory every test file under it. Files under fixtures/ directories are inputs
// of other tests, and test/faults/ holds the long fault-injection runs (`npm run test:faults`):
// both run only when named.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawn } from 'node:child_process';

function findTests(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'fixtures' || name === 'faults' || name.startsWith('.')) continue;
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

/**
 * Two files run at a time, so the run ends when the last long file does: the files that took
 * longest, as test-weights.json records them, start first (longest first), then the others by
 * path. A file missing from the list only runs later than it could.
 */
function longestFirst(paths) {
  const { seconds } = JSON.parse(readFileSync(fileURLToPath(new URL('./test-weights.json', import.meta.url)), 'utf8'));
  const weight = (p) => seconds[p.split(sep).join('/')] ?? 0;
  return [...paths].sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : a > b ? 1 : 0));
}

const filter = process.argv.slice(2);
let files = [...findTests('src', []), ...findTests('test', [])].sort();
if (filter.length > 0) {
  const named = filter.filter((p) => existsSync(p)).flatMap((p) => (statSync(p).isDirectory() ? findTests(p, []) : [p]));
  files = [...new Set([...files.filter((f) => filter.some((p) => f.includes(p))), ...named])];
}
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// Each file runs in its own process (node's default isolation), which must exit by itself
// when its tests are done: scripts/test-exit-check.mjs fails a file that leaves a socket,
// timer or child process open, naming what it left. Each test has a time limit, and the
// whole run one more, for a process whose event loop is stuck.
const SUITE_LIMIT_MS = Number(process.env.WEIR_TEST_SUITE_LIMIT_MS ?? 15 * 60_000);
const exitCheck = fileURLToPath(new URL('./test-exit-check.mjs', import.meta.url));
const testFiles = fileURLToPath(new URL('./test-files.mjs', import.meta.url));
const args = ['--import', 'tsx', '--import', exitCheck, testFiles, '2', '120000', ...longestFirst(files)];
const child = spawn(testNode(), args, { stdio: 'inherit', detached: true });
const stuck = setTimeout(() => {
  console.error(`run-tests: the tests did not finish within ${SUITE_LIMIT_MS / 60_000} minutes; ending them`);
  process.kill(-child.pid, 'SIGKILL');
}, SUITE_LIMIT_MS);
// Interrupting the run ends the test processes too: they are in their own process group.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.kill(-child.pid, signal));
child.on('exit', (code, signal) => {
  clearTimeout(stuck);
  process.exit(signal ? 1 : (code ?? 1));
});
