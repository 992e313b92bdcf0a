/**
 * `weir run JOB [--parallelism N] [--from-savepoint PATH [--allow-non-restored-state]]
 * [--taskmanagers M [--slots S]] [-Dkey=value] [-- job args]`: runs a job in this process
 * under a JobMaster (checkpoints, restarts and restores as on a cluster), or on a local cluster.
 */
import { Dispatcher } from '../runtime/jobmanager/dispatcher.ts';
import type { CheckpointStats } from '../runtime/checkpoint/checkpoint-stats.ts';
import { WeirError } from '../errors/index.ts';
import type { ParsedArgs } from './args.ts';
import { positiveInt } from './args.ts';
import { runOnLocalCluster } from './local-cluster.ts';
import { loadJob } from '../runtime/graph/load-job.ts';
import { formatRate, formatWatermark, summarize } from './progress.ts';

export async function runCommand(args: ParsedArgs, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const jobPath = args.positional[1];
  if (!jobPath) throw new WeirError('INVALID_ARGUMENTS', 'usage: weir run JOB.ts [--parallelism N] [-- --arg value ...]', false);
  args.config = { ...args.config, ...restoreConfig(args) };
  if (args.flags.has('taskmanagers')) return runOnLocalCluster(args, jobPath, stderr);
  const parallelism = positiveInt(args.flags.get('parallelism'), 'parallelism');
  const job = await loadJob(jobPath);
  const master = await new Dispatcher().submit(job, { parallelism, args: args.jobArgs, config: args.config });
  const plan = master.plan;
  const vertices = plan.jobGraph.vertices;
  const isSource = (i: number) => vertices[i]!.operators[0]!.kind === 'source';
  const isSink = (i: number) => vertices[i]!.operators.at(-1)!.kind === 'sink';
  const tty = (stderr as { isTTY?: boolean }).isTTY === true;
  stderr.write(`weir: running "${plan.jobGraph.jobName}" (${vertices.length} vertices, parallelism ${parallelism ?? 'from job or 1'})\n`);

  let last = { at: Date.now(), recordsIn: 0, recordsOut: 0 };
  const write = (line: string, final: boolean) => stderr.write(tty && !final ? `\r${line}\u001b[K` : `${tty ? '\r\u001b[K' : ''}${line}\n`);
  const report = () => {
    const metrics = master.vertexMetrics();
    // Between attempts there are no tasks to read.
    if (metrics.length === 0) return;
    const s = summarize(metrics, isSource, isSink);
    const now = Date.now();
    const seconds = Math.max((now - last.at) / 1000, 1e-3);
    const line = `weir: in ${formatRate(Math.max(0, s.recordsIn - last.recordsIn) / seconds)}, out ${formatRate(Math.max(0, s.recordsOut - last.recordsOut) / seconds)}, watermark ${formatWatermark(s.watermark)}${checkpointPart(master.checkpoints.stats)}${master.numRestarts > 0 ? `, restarts ${master.numRestarts}` : ''}`;
    last = { at: now, recordsIn: s.recordsIn, recordsOut: s.recordsOut };
    write(line, false);
  };
  const timer = setInterval(report, 1000);
  const onSignal = () => {
    if (master.status === 'RUNNING' || master.status === 'RESTARTING') master.cancel();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await master.done;
    // The last attempt's final counts: what its sources read and its sinks wrote.
    const records = result.records ?? [];
    const byVertex = (pick: (i: number) => boolean, field: 'in' | 'out') => records.filter((r) => pick(vertices.findIndex((v) => v.id === r.vertexId))).reduce((n, r) => n + r[field], 0);
    write(`weir: ${byVertex(isSource, 'in')} records in, ${byVertex(isSink, 'out')} out${checkpointPart(master.checkpoints.stats)}`, true);
    for (const w of master.warnings) stderr.write(`weir: warning: ${w}\n`);
    if (result.state === 'FINISHED') {
      stderr.write(`weir: job finished in ${(result.durationMs / 1000).toFixed(1)}s\n`);
      return 0;
    }
    if (result.state === 'CANCELED') {
      stderr.write('weir: job canceled\n');
      return 130;
    }
    stderr.write(`weir: job failed [${result.error?.code}]: ${result.error?.message}\n`);
    return 1;
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `, chk 12 ok, 3 ms` once checkpoints were taken: what the user checks them by. */
export function checkpointPart(stats: CheckpointStats): string {
  const last = stats.entries().find((e) => e.status !== 'IN_PROGRESS');
  if (!last) return '';
  const what = last.status === 'COMPLETED' ? `ok, ${Math.round(last.durationMs)} ms` : `failed: ${last.failureMessage ?? 'unknown'}`;
  return `, chk ${last.id} ${what}${stats.failed > 0 && last.status === 'COMPLETED' ? ` (${stats.failed} failed)` : ''}`;
}

/** --from-savepoint and --allow-non-restored-state, as the configuration keys they stand for. */
function restoreConfig(args: ParsedArgs): Record<string, string> {
  const from = args.flags.get('from-savepoint');
  if (from === true) throw new WeirError('INVALID_ARGUMENTS', '--from-savepoint needs the path of a savepoint or checkpoint directory', false);
  const out: Record<string, string> = {};
  if (from !== undefined) out['execution.savepoint.path'] = from;
  if (args.flags.has('allow-non-restored-state')) out['execution.savepoint.ignore-unclaimed-state'] = 'true';
  return out;
}
