/**
 * `weir savepoint JOB_ID [DIR] [--jobmanager URL]` and `weir stop JOB_ID --savepoint [DIR]
 * [--drain] [--jobmanager URL]`: trigger a savepoint (or stop-with-savepoint) through the JobManager's
 * REST API, wait for it, and print where it is, as Flink's CLI does.
 */
import { WeirError, errorMessage } from '../errors/index.ts';
import type { ParsedArgs } from './args.ts';

const DEFAULT_JOBMANAGER = 'http://127.0.0.1:8081';
const POLL_MS = 200;

interface Operation {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation?: { location?: string; 'failure-cause'?: { class: string; 'stack-trace': string } };
}

async function request(url: string, init?: RequestInit): Promise<unknown> {
  let r: Response;
  try {
    r = await fetch(url, init);
  } catch (err) {
    throw new WeirError('JOBMANAGER_UNREACHABLE', `cannot reach the JobManager at ${url}: ${errorMessage(err)}; check --jobmanager`, true);
  }
  const body = (await r.json().catch(() => ({}))) as { errors?: string[] };
  if (!r.ok) throw new WeirError(r.status === 404 ? 'JOB_NOT_FOUND' : 'JOBMANAGER_REFUSED', body.errors?.join('; ') ?? `the JobManager answered ${r.status}`, false);
  return body;
}

export async function savepointCommand(command: 'savepoint' | 'stop', args: ParsedArgs, stderr: NodeJS.WritableStream, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const jobId = args.positional[1];
  const usage = command === 'savepoint' ? 'usage: weir savepoint JOB_ID [DIR] [--jobmanager URL]' : 'usage: weir stop JOB_ID --savepoint [DIR] [--drain] [--jobmanager URL]';
  if (!jobId || !/^[0-9a-f]{32}$/.test(jobId)) throw new WeirError('INVALID_ARGUMENTS', `${usage} (a job id is 32 hex characters; GET /jobs lists them)`, false);
  const jm = String(args.flags.get('jobmanager') ?? process.env.WEIR_JOBMANAGER ?? DEFAULT_JOBMANAGER).replace(/\/$/, '');
  let dir: string | undefined;
  let path: string;
  let body: Record<string, unknown>;
  if (command === 'savepoint') {
    dir = args.positional[2];
    path = `/jobs/${jobId}/savepoints`;
    body = { 'cancel-job': false, ...(dir === undefined ? {} : { 'target-directory': dir }) };
  } else {
    const flag = args.flags.get('savepoint');
    if (flag === undefined) throw new WeirError('INVALID_ARGUMENTS', `${usage}: stop takes a savepoint; to end a job without one, cancel it (PATCH /jobs/${jobId}?mode=cancel)`, false);
    dir = flag === true ? args.positional[2] : flag;
    path = `/jobs/${jobId}/stop`;
    body = { ...(dir === undefined ? {} : { targetDirectory: dir }), ...(args.flags.has('drain') ? { drain: true } : {}) };
  }
  const trigger = (await request(jm + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })) as { 'request-id': string };
  stderr.write(`weir: ${command === 'stop' ? 'stopping' : 'triggering a savepoint of'} job ${jobId}\n`);
  for (;;) {
    const op = (await request(`${jm}/jobs/${jobId}/savepoints/${trigger['request-id']}`)) as Operation;
    if (op.status.id === 'COMPLETED') {
      const failure = op.operation?.['failure-cause'];
      if (failure) {
        stderr.write(`weir: [${failure.class}] the savepoint failed: ${failure['stack-trace']}\n`);
        return 1;
      }
      stdout.write(`Savepoint completed. Path: ${op.operation!.location!}\n`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
