/** `weir run JOB [--parallelism N] [--taskmanagers M [--slots S]] [-- job args]`: runs a job in this process, or on a local cluster. */
import { buildJobPlan } from '../runtime/graph/job-plan.ts';
import { TaskGroup } from '../runtime/task/task-group.ts';
import { WeirError } from '../errors/index.ts';
import type { ParsedArgs } from './args.ts';
import { positiveInt } from './args.ts';
import { runOnLocalCluster } from './local-cluster.ts';
import { loadJob } from '../runtime/graph/load-job.ts';
import { formatRate, formatWatermark, summarize } from './progress.ts';

export async function runCommand(args: ParsedArgs, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const jobPath = args.positional[1];
  if (!jobPath) throw new WeirError('INVALID_ARGUMENTS', 'usage: weir run JOB.ts [--parallelism N] [-- --arg value ...]', false);
  if (args.flags.has('taskmanagers')) return runOnLocalCluster(args, jobPath, stderr);
  const parallelism = positiveInt(args.flags.get('parallelism'), 'parallelism');
  const job = await loadJob(jobPath);
  const plan = await buildJobPlan(job, { parallelism, args: args.jobArgs });
  const executor = new TaskGroup(plan);
  const vertices = plan.jobGraph.vertices;
  const isSource = (i: number) => vertices[i]!.operators[0]!.kind === 'source';
  const isSink = (i: number) => vertices[i]!.operators.at(-1)!.kind === 'sink';
  const tty = (stderr as { isTTY?: boolean }).isTTY === true;
  stderr.write(`weir: running "${plan.jobGraph.jobName}" (${vertices.length} vertices, parallelism ${parallelism ?? 'from job or 1'})\n`);

  let last = { at: Date.now(), recordsIn: 0, recordsOut: 0 };
  const report = (final: boolean) => {
    const s = summarize(executor.metrics(), isSource, isSink);
    const now = Date.now();
    const seconds = Math.max((now - last.at) / 1000, 1e-3);
    const line = final
      ? `weir: ${s.recordsIn} records in, ${s.recordsOut} out`
      : `weir: in ${formatRate((s.recordsIn - last.recordsIn) / seconds)}, out ${formatRate((s.recordsOut - last.recordsOut) / seconds)}, watermark ${formatWatermark(s.watermark)}`;
    last = { at: now, recordsIn: s.recordsIn, recordsOut: s.recordsOut };
    stderr.write(tty && !final ? `\r${line}\u001b[K` : `${tty ? '\r\u001b[K' : ''}${line}\n`);
  };
  const timer = setInterval(() => report(false), 1000);
  const onSignal = () => executor.cancel();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await executor.run();
    report(true);
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
