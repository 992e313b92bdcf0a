/**
 * What an incremental checkpoint uploads for 1M keys of ValueState on RocksDB (one subtask):
 * the first checkpoint (everything, i.e. a full one) against the next after 1% of the keys
 * changed (target: under 5% of the full bytes). A changed key group is uploaded as a delta of
 * its changed entries on its last full encoding (docs/architecture.md), so the answer should
 * not depend much on where the changed keys lie; both cases are measured in one job, one
 * after the other:
 * - spread: every 100th key, which touches every key group (what the target means);
 * - concentrated: 1% of the keys taken from as few key groups as hold them.
 *
 *   node --import tsx bench/incremental-checkpoints.ts [--keys 1000000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineJob, WatermarkStrategy } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';
import { Dispatcher } from '../src/runtime/jobmanager/dispatcher.ts';
import type { JobMaster } from '../src/runtime/jobmanager/job-master.ts';
import { DEFAULT_MAX_PARALLELISM, keyGroupFor } from '../src/runtime/state/key-group.ts';
import { Remember } from './checkpointing.ts';
import { intFlag, isMain } from './support/args.ts';
import { fmtRate, machineLine, verdict } from './support/report.ts';

const INCREMENTAL_SHARE_TARGET = 0.05;

/** Keys from key group 0 upwards until `count` are taken: the changed keys packed into the fewest groups. */
function concentratedKeys(keys: number, count: number): { keys: Set<number>; groups: number } {
  const byGroup: number[][] = Array.from({ length: DEFAULT_MAX_PARALLELISM }, () => []);
  for (let k = 0; k < keys; k++) byGroup[keyGroupFor(k, DEFAULT_MAX_PARALLELISM)]!.push(k);
  const chosen = new Set<number>();
  let groups = 0;
  for (const members of byGroup) {
    if (chosen.size >= count) break;
    groups++;
    for (const k of members) {
      if (chosen.size >= count) break;
      chosen.add(k);
    }
  }
  return { keys: chosen, groups };
}

async function recordsOut(master: JobMaster, atLeast: number): Promise<void> {
  while ((master.vertexMetrics()[0]?.recordsOut ?? 0) < atLeast) await new Promise((r) => setTimeout(r, 50));
}

interface CheckpointFigures {
  uploaded: number;
  stateSize: number;
  durationMs: number;
}

export async function incrementalCheckpointReport(keys: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'weir-bench-incremental-'));
  const changedCount = Math.max(1, Math.round(keys / 100));
  const spread = new Set<number>();
  for (let k = 0; k < keys && spread.size < changedCount; k += Math.floor(keys / changedCount)) spread.add(k);
  const concentrated = concentratedKeys(keys, changedCount);
  // A key's value is key + keys * version: the job rewrites every key on each pass, and the same number written again is no change.
  const version = new Map<number, number>();
  const valueAt = (i: number): number => {
    const k = i % keys;
    return k + keys * (version.get(k) ?? 0);
  };
  const job = defineJob((env) => {
    env.setParallelism(1);
    env
      .fromSource(new DataGeneratorSource(valueAt, Infinity), WatermarkStrategy.noWatermarks<number>(), 'keys')
      .uid('keys')
      .keyBy((v) => v % keys)
      .process(new Remember())
      .uid('state')
      .sinkTo({ createWriter: () => ({ write: () => {} }) }, 'none')
      .uid('none');
  });
  const config = {
    'state.backend.type': 'rocksdb',
    'state.backend.rocksdb.localdir': join(dir, 'rocksdb'),
    'state.backend.incremental': 'true',
    'state.backend.incremental.delta': 'true',
    'state.checkpoints.dir': `file://${join(dir, 'checkpoints')}`,
    'execution.checkpointing.timeout': '10min',
  };
  const master = await new Dispatcher().submit(job, { config });
  try {
    const checkpoint = async (): Promise<CheckpointFigures> => {
      const done = await master.checkpoints.trigger();
      const e = master.checkpoints.stats.find(done.id)!;
      return { uploaded: e.checkpointedSize, stateSize: e.stateSize, durationMs: e.durationMs };
    };
    /** Gives `changed` a new version, waits for one pass over every key after that (so each changed key was rewritten), then checkpoints. */
    const afterChanging = async (changed: ReadonlySet<number>, v: number): Promise<CheckpointFigures> => {
      const from = master.vertexMetrics()[0]?.recordsOut ?? 0;
      for (const k of changed) version.set(k, v);
      await recordsOut(master, from + keys + 1);
      return checkpoint();
    };
    await recordsOut(master, keys);
    const full = await checkpoint();
    const spreadCp = await afterChanging(spread, 1);
    const concentratedCp = await afterChanging(concentrated.keys, 2);
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MB`;
    const share = (c: CheckpointFigures) => c.uploaded / full.uploaded;
    return [
      `incremental checkpoints, ${fmtRate(keys)} keys of ValueState on RocksDB in one subtask, ${DEFAULT_MAX_PARALLELISM} key groups (a changed key group is uploaded as a delta of its changed entries)`,
      `  first checkpoint (full): ${mb(full.uploaded)} uploaded in ${full.durationMs.toFixed(0)}ms`,
      `  after ${fmtRate(spread.size)} keys (1%) changed, spread over all key groups: ${mb(spreadCp.uploaded)} uploaded in ${spreadCp.durationMs.toFixed(0)}ms, ` +
        `${(share(spreadCp) * 100).toFixed(1)}% of full (target < ${INCREMENTAL_SHARE_TARGET * 100}%: ${verdict(share(spreadCp) < INCREMENTAL_SHARE_TARGET)})`,
      `  after ${fmtRate(concentrated.keys.size)} keys (1%) changed in ${concentrated.groups} key groups: ${mb(concentratedCp.uploaded)} uploaded in ${concentratedCp.durationMs.toFixed(0)}ms, ` +
        `${(share(concentratedCp) * 100).toFixed(1)}% of full (for comparison; the target is judged on the spread case)`,
      `  state held at the last checkpoint: ${mb(concentratedCp.stateSize)}; uploaded after 1% changed as a share of it: spread ${((spreadCp.uploaded / spreadCp.stateSize) * 100).toFixed(1)}%, concentrated ${((concentratedCp.uploaded / concentratedCp.stateSize) * 100).toFixed(1)}%`,
      machineLine(),
    ];
  } finally {
    master.cancel();
    await master.done;
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  for (const line of await incrementalCheckpointReport(intFlag('keys', 1_000_000))) console.log(line);
}
