/**
 * A TaskManager's side of the cluster protocol: registers, heartbeats (sending reports at
 * once when there are any, not only every interval), and keeps one request for commands
 * open so deployments, cancels and control messages arrive as soon as the JobManager has
 * them. A JobManager that says it is shutting down is waited for quietly: the TaskManager
 * registers again when it is back (a normal end of a job prints no error).
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { AttemptReport, CheckpointReport, CommandsResponse, HeartbeatResponse, RegistrationRequest, RegistrationResponse, SubtaskStateReport, TaskManagerCommand } from '../cluster-protocol/messages.ts';

export interface JobManagerConnectionEvents {
  commands(commands: readonly TaskManagerCommand[]): void;
  /** The JobManager lost track of this TaskManager and failed its attempts: what still runs here is orphaned. */
  forgotten(): void;
  log(line: string): void;
}

/** How long to wait before asking a JobManager that cannot be reached again. */
const RETRY_MS = 1000;

export class JobManagerConnection {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private heartbeatAgain = false;
  private readonly reports: AttemptReport[] = [];
  private readonly taskStates: SubtaskStateReport[] = [];
  private readonly checkpoints: CheckpointReport[] = [];
  private polling: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  /** The JobManager said it is shutting down: its silence is expected. */
  private jobManagerGone = false;
  /** A failure to reach the JobManager was logged and nothing has worked since. */
  private unreachableLogged = false;

  constructor(
    private readonly url: string,
    private readonly registration: () => RegistrationRequest,
    private readonly events: JobManagerConnectionEvents,
  ) {}

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: this.stopping.signal });
    } catch (err) {
      throw new WeirError('JOBMANAGER_UNREACHABLE', `cannot reach the JobManager at ${this.url}: ${errorMessage(err)}`, true, { cause: err });
    }
    const json = (await response.json()) as T & { errors?: string[] };
    if (!response.ok) throw new WeirError('JOBMANAGER_REFUSED', `the JobManager refused ${path}: ${json.errors?.join('; ') ?? response.status}`, false);
    return json;
  }

  /** Registers (rejecting when the JobManager cannot be reached) and starts heartbeats and the request for commands. */
  async start(): Promise<void> {
    await this.register();
    this.polling ??= this.pollCommands();
  }

  private async register(): Promise<void> {
    const request = this.registration();
    const r = await this.post<RegistrationResponse>('/internal/taskmanagers/register', request);
    this.events.log(`registered as ${request.id} with ${request.slots} slot(s)`);
    this.jobManagerGone = false;
    this.unreachableLogged = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), r.heartbeatIntervalMs);
  }

  report(r: AttemptReport): void {
    this.reports.push(r);
    this.heartbeat();
  }

  reportTaskStates(states: readonly SubtaskStateReport[]): void {
    this.taskStates.push(...states);
    this.heartbeat();
  }

  reportCheckpoint(report: CheckpointReport): void {
    this.checkpoints.push(report);
    this.heartbeat();
  }

  private heartbeat(): void {
    if (this.stopped || this.jobManagerGone) return;
    if (this.heartbeatInFlight) {
      this.heartbeatAgain = true;
      return;
    }
    this.heartbeatInFlight = true;
    const reports = this.reports.splice(0);
    const tasks = this.taskStates.splice(0);
    const checkpoints = this.checkpoints.splice(0);
    this.post<HeartbeatResponse>(`/internal/taskmanagers/${this.registration().id}/heartbeat`, { reports, tasks, checkpoints })
      .then(async (r) => {
        if (this.stopped) return;
        this.unreachableLogged = false;
        if (r.unknown) {
          this.events.forgotten();
          await this.register();
        }
      })
      .catch((err: unknown) => {
        // Keep the reports for the next heartbeat; the JobManager may be restarting.
        this.reports.unshift(...reports);
        this.taskStates.unshift(...tasks);
        this.checkpoints.unshift(...checkpoints);
        this.unreachable(`heartbeat failed: ${errorMessage(err)}`);
      })
      .finally(() => {
        this.heartbeatInFlight = false;
        if (this.heartbeatAgain) {
          this.heartbeatAgain = false;
          this.heartbeat();
        }
      });
  }

  /** Logs that the JobManager cannot be reached, once until it answers again, and not at all while it is known to be down. */
  private unreachable(line: string): void {
    if (this.stopped || this.jobManagerGone || this.unreachableLogged) return;
    this.unreachableLogged = true;
    this.events.log(line);
  }

  /** The open request for commands, asked again as soon as it is answered; never rejects. */
  private async pollCommands(): Promise<void> {
    const id = () => this.registration().id;
    while (!this.stopped) {
      let r: CommandsResponse;
      try {
        r = await this.post<CommandsResponse>(`/internal/taskmanagers/${id()}/commands`, {});
      } catch (err) {
        if (this.stopped) return;
        this.unreachable(`cannot get commands from the JobManager: ${errorMessage(err)}`);
        await this.pause();
        if (this.jobManagerGone) await this.registerWhenBack();
        continue;
      }
      this.unreachableLogged = false;
      if (r.shuttingDown) {
        this.jobManagerGone = true;
        if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
        this.events.log('the JobManager is shutting down; this TaskManager registers again when it is back');
        await this.registerWhenBack();
        continue;
      }
      if (r.unknown) {
        this.events.forgotten();
        await this.registerWhenBack();
        continue;
      }
      if (r.commands.length > 0) this.events.commands(r.commands);
    }
  }

  private async registerWhenBack(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.register();
        return;
      } catch (err) {
        if (this.stopped) return;
        this.unreachable(errorMessage(err));
        await this.pause();
      }
    }
  }

  private pause(): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, RETRY_MS);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.polling;
  }
}
