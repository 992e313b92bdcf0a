/**
 * The JobManager's REST API, with Flink's paths and shapes (DESIGN section 4). Errors are
 * `{"errors": ["..."]}` with a 4xx/5xx status.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { HttpError, readJson } from './http.ts';
import type { Handler } from './http.ts';
import { checkpointRoutes } from './checkpoint-routes.ts';
import { aggregatedSubtaskMetrics } from './subtask-metrics.ts';
import type { Dispatcher } from '../dispatcher.ts';
import { jobDetail, jobExceptions, jobOverview, vertexDetail } from './json-views.ts';
import { jobTaskSamples, subtaskRecords, vertexBackPressure, vertexRecords } from '../task-samples.ts';
import type { HeartbeatRequest, RegistrationRequest } from '../../cluster-protocol/messages.ts';

export interface RestServerOptions {
  host?: string;
  port?: number;
  /** Prometheus text for /metrics; by default the dispatcher's (this JobManager's and its TaskManagers'). */
  metrics?: () => Promise<string> | string;
  version?: string;
}


/** How long closing waits for answers being written. */
const CLOSE_GRACE_MS = 1000;

export class RestServer {
  private server: Server | undefined;
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  /** Requests whose answer has not been fully written. */
  private inFlight = 0;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly options: RestServerOptions = {},
  ) {
    const job = (id: string) => {
      try {
        return dispatcher.get(id);
      } catch (err) {
        throw new HttpError(404, errorMessage(err));
      }
    };
    this.route('GET', /^\/healthz$/, () => ({ status: 'ok' }));
    this.route('GET', /^\/config$/, () => ({ 'refresh-interval': 3000, 'timezone-name': 'UTC', 'timezone-offset': 0, 'flink-version': this.version, 'flink-revision': 'weir', features: { 'web-submit': false, 'web-cancel': true } }));
    this.route('GET', /^\/overview$/, () => this.overview());
    this.route('GET', /^\/jobs$/, () => ({ jobs: dispatcher.list().map((j) => ({ id: j.jobId, status: j.status })) }));
    this.route('GET', /^\/jobs\/overview$/, () => ({ jobs: dispatcher.list().map((j) => jobOverview(j, Date.now())) }));
    const samples = async (id: string) => jobTaskSamples(await dispatcher.metricsText(), id);
    this.route('GET', /^\/jobs\/([0-9a-f]{32})$/, async ([id]) => {
      const j = job(id!);
      return jobDetail(j, Date.now(), vertexRecords((await samples(id!)).subtasks, j.endedRecords()));
    });
    this.route('GET', /^\/jobs\/([0-9a-f]{32})\/exceptions$/, ([id]) => jobExceptions(job(id!)));
    this.route('PATCH', /^\/jobs\/([0-9a-f]{32})$/, ([id], url) => {
      const mode = url.searchParams.get('mode') ?? 'cancel';
      if (mode !== 'cancel') throw new HttpError(400, `mode "${mode}" is not supported; use mode=cancel (or POST /jobs/:id/stop to stop with a savepoint)`);
      const j = job(id!);
      try {
        j.cancel();
      } catch (err) {
        throw new HttpError(409, errorMessage(err));
      }
      return { status: 202, body: {} };
    });
    checkpointRoutes((method, pattern, handler) => this.route(method, pattern, handler), job);
    this.route('GET', /^\/jobs\/([0-9a-f]{32})\/vertices\/([0-9a-f]{32})$/, async ([id, vid]) => {
      const j = job(id!);
      const detail = vertexDetail(j, vid!, Date.now(), subtaskRecords((await samples(id!)).subtasks, j.endedRecords()));
      if (!detail) throw new HttpError(404, `Vertex ${vid} not found in job ${id}`);
      return detail;
    });
    this.route('GET', /^\/jobs\/([0-9a-f]{32})\/vertices\/([0-9a-f]{32})\/backpressure$/, async ([id, vid]) => {
      const j = job(id!);
      const vertex = j.plan.jobGraph.vertices.find((v) => v.id === vid);
      if (!vertex) throw new HttpError(404, `Vertex ${vid} not found in job ${id}`);
      return vertexBackPressure((await samples(id!)).times.get(vid!), Date.now());
    });
    this.route('GET', /^\/jobs\/([0-9a-f]{32})\/vertices\/([0-9a-f]{32})\/subtasks\/metrics$/, async ([id, vid], url) => {
      const j = job(id!);
      if (!j.plan.jobGraph.vertices.some((v) => v.id === vid)) throw new HttpError(404, `Vertex ${vid} not found in job ${id}`);
      return aggregatedSubtaskMetrics(await dispatcher.metricsText(), id!, vid!, url.searchParams);
    });
    this.route('GET', /^\/taskmanagers$/, () => ({
      taskmanagers: [...(dispatcher.cluster?.registry.taskManagers.values() ?? [])].map((tm) => ({
        id: tm.id,
        path: `${tm.data.host}:${tm.data.port}`,
        dataPort: tm.data.port,
        timeSinceLastHeartbeat: Date.now() - tm.lastHeartbeat,
        slotsNumber: tm.slots,
        freeSlots: tm.slotHolders.filter((h) => h === undefined).length,
      })),
    }));
    const registry = () => {
      const r = dispatcher.cluster?.registry;
      if (!r) throw new HttpError(404, 'this JobManager runs jobs in its own process and takes no TaskManagers');
      return r;
    };
    this.route('POST', /^\/internal\/taskmanagers\/register$/, (_p, _u, body) => {
      const r = body as RegistrationRequest;
      if (typeof r?.id !== 'string' || !Number.isInteger(r.slots) || r.slots < 1 || typeof r.data?.port !== 'number') {
        throw new HttpError(400, 'a registration needs {id, slots >= 1, data: {host, port}}');
      }
      registry().register(r, Date.now());
      return { heartbeatIntervalMs: registry().heartbeatIntervalMs };
    });
    this.route('POST', /^\/internal\/taskmanagers\/([^/]+)\/heartbeat$/, ([id], _u, body) => {
      const r = body as HeartbeatRequest | undefined;
      return registry().heartbeat(id!, { reports: r?.reports ?? [], tasks: r?.tasks ?? [], checkpoints: r?.checkpoints ?? [] }, Date.now());
    });
    this.route('POST', /^\/internal\/taskmanagers\/([^/]+)\/commands$/, ([id]) => registry().takeCommands(id!));
    this.route('GET', /^\/metrics$/, () => ({ text: this.options.metrics ? this.options.metrics() : dispatcher.metricsText() }));
  }

  private get version(): string {
    return this.options.version ?? '0.1.0';
  }

  private overview() {
    const jobs = this.dispatcher.list();
    const count = (s: string) => jobs.filter((j) => j.status === s).length;
    const registry = this.dispatcher.cluster?.registry;
    return {
      taskmanagers: registry?.taskManagers.size ?? 0,
      'slots-total': registry?.totalSlots() ?? 0,
      // The slots no attempt holds: a job waiting for slots holds none, one running holds its own.
      'slots-available': registry?.availableSlots() ?? 0,
      'jobs-running': jobs.filter((j) => !['FINISHED', 'CANCELED', 'FAILED'].includes(j.status)).length,
      'jobs-finished': count('FINISHED'),
      'jobs-cancelled': count('CANCELED'),
      'jobs-failed': count('FAILED'),
      'flink-version': this.version,
      'flink-commit': 'weir',
    };
  }

  private route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push({ method, pattern, handler });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const matching = this.routes.filter((r) => r.pattern.test(url.pathname));
    if (matching.length === 0) throw new HttpError(404, `Not found: ${url.pathname}`);
    const route = matching.find((r) => r.method === req.method);
    if (!route) throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}; use ${matching.map((r) => r.method).join(' or ')}`);
    const params = route.pattern.exec(url.pathname)!.slice(1);
    const result = await route.handler(params, url, req.method === 'POST' ? await readJson(req) : undefined);
    if (url.pathname === '/metrics') {
      const text = await (result as { text: Promise<string> | string }).text;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
      return;
    }
    const { status, body } = result !== null && typeof result === 'object' && 'status' in result && 'body' in result ? (result as { status: number; body: unknown }) : { status: 200, body: result };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      this.inFlight++;
      res.once('close', () => this.inFlight--);
      this.handle(req, res).catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof HttpError ? err.message : `Internal server error: ${errorMessage(err)}`;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [message] }));
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new WeirError('REST_BIND_FAILED', `cannot listen on ${this.options.host ?? '127.0.0.1'}:${this.options.port ?? 8081}: ${err.message}`, true, { cause: err })));
      server.listen(this.options.port ?? 8081, this.options.host ?? '127.0.0.1', resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  /**
   * Stops serving. TaskManagers waiting for commands are told the JobManager is shutting
   * down, and answers being written get a moment to reach them, so their shutdown is quiet.
   */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.dispatcher.cluster?.registry.shutdown();
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    server.closeAllConnections();
    await closed;
  }
}
