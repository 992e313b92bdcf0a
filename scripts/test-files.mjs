// Started by scripts/run-tests.mjs on the Node the tests need, with tsx and the exit check
// loaded (the file processes inherit both): runs the test files named after the options in the
// order given, each in its own process, with node's spec reporter. `node --test` would sort
// the files by path; run-tests.mjs starts the longest first instead, so no long file starts last.
//   node --import tsx --import test-exit-check.mjs test-files.mjs <concurrency> <timeout ms> <file>...
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { relative, resolve } from 'node:path';

const [concurrency, timeout, ...files] = process.argv.slice(2);
const stream = run({ files: files.map((f) => resolve(f)), concurrency: Number(concurrency), timeout: Number(timeout) });
// The run's own summary (no file) says whether anything failed; a failing todo test does not count.
// Each file's says how long it took: the slowest are listed last, to keep test-weights.json current.
const took = [];
stream.on('test:summary', (summary) => {
  if (summary.file === undefined && !summary.success) process.exitCode = 1;
  if (summary.file !== undefined) took.push([relative(process.cwd(), summary.file), summary.duration_ms]);
});
const report = stream.compose(spec);
report.pipe(process.stdout, { end: false });
report.on('end', () => {
  if (took.length < 2) return;
  const slowest = took.sort((a, b) => b[1] - a[1]).slice(0, 20);
  process.stdout.write(`\nslowest test files (s):\n${slowest.map(([file, ms]) => `${(ms / 1000).toFixed(1).padStart(7)}  ${file}`).join('\n')}\n`);
});
