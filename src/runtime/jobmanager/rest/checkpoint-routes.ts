/**
 * Flink's checkpoint and savepoint routes: statistics, details and configuration, and
 * triggers (a checkpoint now, a savepoint, stop-with-savepoint) that answer at once with a
 * request id whose status is asked for afterwards.
 */
import { WeirError, errorMessage } from '../../../errors/index.ts';
import type { JobMaster } from '../job-master.ts';
import type { OperationStatus } from '../async-operations.ts';
import { HttpError, requestBody } from './http.ts';
import type { Handler } from './http.ts';
import { checkpointConfigView, checkpointDetailsView, checkpointStatsView, operationView } from './checkpoint-views.ts';

/**
 * Flink's optional `triggerId` (32 hex digits): a caller that retries a trigger it may have sent
 * already (the operator after a restart) gets the first operation, not a second snapshot.
 */
function triggerIdOf(b: Record<string, unknown>): string | undefined {
  const id = b.triggerId;
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) throw new HttpError(400, `triggerId ${JSON.stringify(id)} must be 32 lowercase hex digits`);
  return id;
}

export function checkpointRoutes(route: (method: string, pattern: RegExp, handler: Handler) => void, job: (id: string) => JobMaster): void {
  const accepted = (requestId: string) => ({ status: 202, body: { 'request-id': requestId } });
  /** A request the job cannot take (no savepoint directory, a job that is not running) is refused at once. */
  const refusedAtOnce = <T>(start: () => Promise<T>): Promise<T> => {
    try {
      return start();
    } catch (err) {
      throw new HttpError(err instanceof WeirError && err.code === 'INVALID_ARGUMENTS' ? 400 : 409, errorMessage(err));
    }
  };
  const operation = <T>(found: OperationStatus<T> | undefined, id: string, view: (v: T) => Record<string, unknown>) => {
    if (!found) throw new HttpError(404, `no operation with request id ${id}`);
    return operationView(found, view);
  };
  route('GET', /^\/jobs\/([0-9a-f]{32})\/checkpoints$/, ([id]) => checkpointStatsView(job(id!).checkpoints.stats, Date.now()));
  route('GET', /^\/jobs\/([0-9a-f]{32})\/checkpoints\/config$/, ([id]) => checkpointConfigView(job(id!).checkpoints.config));
  route('GET', /^\/jobs\/([0-9a-f]{32})\/checkpoints\/details\/(\d+)$/, ([id, cid]) => {
    const entry = job(id!).checkpoints.stats.find(Number(cid));
    if (!entry) throw new HttpError(404, `checkpoint ${cid} of job ${id} is not in the remembered history`);
    return checkpointDetailsView(entry, Date.now());
  });
  route('POST', /^\/jobs\/([0-9a-f]{32})\/checkpoints$/, ([id], _u, body) => {
    const b = requestBody(body, { checkpointType: 'string', triggerId: 'string' });
    if (b.checkpointType !== undefined && !['FULL', 'CONFIGURED'].includes(b.checkpointType as string)) throw new HttpError(400, `checkpointType "${String(b.checkpointType)}" is not supported: checkpoints are FULL (incremental ones come with the RocksDB backend)`);
    const j = job(id!);
    return accepted(j.checkpointRequests.start(() => j.checkpoints.trigger().then((c) => c.id), triggerIdOf(b)));
  });
  route('GET', /^\/jobs\/([0-9a-f]{32})\/checkpoints\/([0-9a-f]{32})$/, ([id, rid]) => operation(job(id!).checkpointRequests.get(rid!), rid!, (checkpointId) => ({ checkpointId })));
  route('POST', /^\/jobs\/([0-9a-f]{32})\/savepoints$/, ([id], _u, body) => {
    const b = requestBody(body, { 'target-directory': 'string', 'cancel-job': 'boolean', formatType: 'string', triggerId: 'string' });
    if (b.formatType !== undefined && b.formatType !== 'CANONICAL') throw new HttpError(400, `formatType "${String(b.formatType)}" is not supported: savepoints are always in the CANONICAL format`);
    const j = job(id!);
    return accepted(j.savepointRequests.start(() => refusedAtOnce(() => j.savepoint(b['target-directory'] as string | undefined, b['cancel-job'] === true ? 'cancel' : 'continue')), triggerIdOf(b)));
  });
  route('POST', /^\/jobs\/([0-9a-f]{32})\/stop$/, ([id], _u, body) => {
    const b = requestBody(body, { targetDirectory: 'string', drain: 'boolean', formatType: 'string', triggerId: 'string' });
    const j = job(id!);
    return accepted(j.savepointRequests.start(() => refusedAtOnce(() => j.savepoint(b.targetDirectory as string | undefined, b.drain === true ? 'drain' : 'stop')), triggerIdOf(b)));
  });
  route('GET', /^\/jobs\/([0-9a-f]{32})\/savepoints\/([0-9a-f]{32})$/, ([id, rid]) => operation(job(id!).savepointRequests.get(rid!), rid!, (location) => ({ location })));
}
