/**
 * `npm run soak -- --minutes 10 --rate 2000`: runs the exactly-once sequences job on a local
 * cluster for that long, killing a TaskManager every few seconds, then prints the kills, the
 * restarts, the records and how many were lost or duplicated. Exits 1 if any were.
 */
import { bySequence, runWithKills } from '../test/support/chaos-cluster.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const minutes = flag('minutes', 5);
const rate = flag('rate', 2000);
const keys = 4;
const records = Math.floor((minutes * 60 * rate) / keys) * keys;
const mode = process.argv.includes('--at-least-once') ? 'AT_LEAST_ONCE' : 'EXACTLY_ONCE';
console.log(`soak: ${records} records at ${rate}/s (${minutes} min), ${mode}, a TaskManager killed every 1-5 s`);
const started = Date.now();
const result = await runWithKills({ mode, kills: Infinity, records, rate, maxPauseMs: 4000, log: (l) => console.log(`soak: ${l}`) });
const seqs = bySequence(result.lines);
let lost = 0;
let duplicated = 0;
let wrongState = 0;
for (let key = 0; key < keys; key++) {
  for (let seq = 0; seq < records / keys; seq++) {
    const counts = seqs.get(`${key},${seq}`);
    if (!counts) lost++;
    else {
      duplicated += counts.length - 1;
      if (counts.some((c) => c !== seq + 1)) wrongState++;
    }
  }
}
console.log(
  `soak: ${((Date.now() - started) / 60000).toFixed(1)} min, ${result.kills} kills, ${result.failures} restarts, ${records} records, ` +
    `${lost} lost, ${duplicated} duplicated, ${wrongState} with a wrong count`,
);
process.exit(lost + (mode === 'EXACTLY_ONCE' ? duplicated + wrongState : 0) > 0 ? 1 : 0);
