/**
 * A TaskManager's side of the cluster protocol: registers, heartbeats (sending reports at
 * once when there are any, not only every interval), and keeps one request for commands
 * open so deployments, cancels and control messages arrive as soon as the JobManager has
 * them. A JobManager that says it is shutting down is waited for quietly: the TaskManager
 * registers again when it is back (a normal end of a job prints no error).
 *
 * As in Flink, a TaskManager without a JobManager keeps trying, with backoff, for
 * `taskmanager.registration.timeout`, and then gives up for good (`fatal`), so that
 * Kubernetes restarts it rather than it idling on.
 */
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { AttemptReport, CheckpointReport, CommandsResponse, HeartbeatResponse, RegistrationRequest, RegistrationResponse, SubtaskStateReport, TaskManagerCommand } from '../cluster-protocol/messages.ts';

export interface JobManagerConnectionEvents {
  commands(commands: readonly TaskManagerCommand[]): void;
  /**
   * The JobManager lost track of this TaskManager and failed its attempts (or is a new leader
   * that never knew them): what still runs here is orphaned. Registration waits for the
   * returned promise, so the next JobManager finds the slots free.
   */
  forgotten(): void | Promise<void>;
  /** No JobManager for longer than the registration timeout, or one that refuses this TaskManager: the process should end. */
  fatal(err: WeirError): void;
  log(line: string): void;
}

/** How long to wait before asking a JobManager that cannot be reached again. */
const RETRY_MS = 1000;
/** A stopping TaskManager waits this long for the JobManager to hear its goodbye. */
const DISCONNECT_TIMEOUT_MS = 2000;

export interface RegistrationPolicy {
  /** `taskmanager.registration.timeout`: how long to go without a JobManager before giving up (Flink: 5 min). */
  timeoutMs: number;
  /** Pause after the first failed attempt; it doubles after each failure, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_REGISTRATION: RegistrationPolicy = { timeoutMs: 5 * 60_000, initialDelayMs: 500, maxDelayMs: 10_000 };

/** Pause before the next registration attempt after `failures` failed ones (at least one). */
export function registrationDelayMs(policy: RegistrationPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1));
}

export class JobManagerConnection {
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private heartbeatAgain = false;
  private readonly reports: AttemptReport[] = [];
  private readonly taskStates: SubtaskStateReport[] = [];
  private readonly checkpoints: CheckpointReport[] = [];
  /** Counts dropQueued(): reports of a failed heartbeat go back in the queue only if it was not dropped meanwhile. */
  private queueGeneration = 0;
  private polling: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  /** The JobManager said it is shutting down: its silence is expected. */
  private jobManagerGone = false;
  /** A failure to reach the JobManager was logged and nothing has worked since. */
  private unreachableLogged = false;
  /** The last registration was accepted and the JobManager has not forgotten or left this TaskManager since. */
  private isRegistered = false;
  /** When the JobManager was last found unreachable with nothing working since (ms since the epoch). */
  private lostSince: number | undefined;
  /**
   * Counts accepted registrations. An `unknown` answer to a request sent before the latest one
   * is stale (the JobManager knows this TaskManager now): acting on it would cancel what the
   * JobManager deployed since, and drop its reports, so it is ignored.
   */
  private registrations = 0;

  constructor(
    private readonly url: string,
    private readonly registration: () => RegistrationRequest,
    private readonly events: JobManagerConnectionEvents,
    private readonly policy: RegistrationPolicy = DEFAULT_REGISTRATION,
  ) {}

  /** Registered with a JobManager that answers: what the TaskManager's readiness reports. */
  get registered(): boolean {
    return this.isRegistered && this.lostSince === undefined;
  }

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

  /**
   * Registers, retrying with backoff while the JobManager cannot be reached (it may still be
   * starting), then starts heartbeats and the request for commands. Rejects when the
   * JobManager refuses, or when the registration timeout passes (TASKMANAGER_REGISTRATION_TIMEOUT).
   */
  async start(): Promise<void> {
    await this.registerWithinTimeout();
    this.polling ??= this.pollCommands();
  }

  private async register(): Promise<void> {
    const request = this.registration();
    const r = await this.post<RegistrationResponse>('/internal/taskmanagers/register', request);
    this.events.log(`registered as ${request.id} with ${request.slots} slot(s)`);
    this.registrations++;
    this.jobManagerGone = false;
    this.unreachableLogged = false;
    this.isRegistered = true;
    this.lostSince = undefined;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), r.heartbeatIntervalMs);
  }

  private async registerWithinTimeout(): Promise<void> {
    const since = this.lostSince ?? Date.now();
    for (let failures = 1; ; failures++) {
      try {
        await this.register();
        return;
      } catch (err) {
        if (this.stopped || !(err instanceof WeirError) || !err.retriable) throw err;
        const left = since + this.policy.timeoutMs - Date.now();
        if (left <= 0) throw this.timedOut(err);
        if (failures === 1) this.unreachable(`${errorMessage(err)}; retrying until taskmanager.registration.timeout (${formatMs(this.policy.timeoutMs)})`);
        await this.pause(Math.min(left, registrationDelayMs(this.policy, failures)));
      }
    }
  }

  private timedOut(last: WeirError): WeirError {
    return new WeirError(
      'TASKMANAGER_REGISTRATION_TIMEOUT',
      `no JobManager accepted this TaskManager within taskmanager.registration.timeout (${formatMs(this.policy.timeoutMs)}); the last attempt: ${last.message}`,
      false,
      { cause: last },
    );
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
    const generation = this.queueGeneration;
    const registeredAs = this.registrations;
    const reports = this.reports.splice(0);
    const tasks = this.taskStates.splice(0);
    const checkpoints = this.checkpoints.splice(0);
    this.post<HeartbeatResponse>(`/internal/taskmanagers/${this.registration().id}/heartbeat`, { reports, tasks, checkpoints })
      .then(async (r) => {
        if (this.stopped) return;
        this.unreachableLogged = false;
        this.lostSince = undefined;
        if (r.unknown && registeredAs === this.registrations) {
          this.isRegistered = false;
          this.dropQueued();
          await this.events.forgotten();
          await this.register();
        }
      })
      .catch((err: unknown) => {
        // Keep the reports for the next heartbeat; the JobManager may be restarting. Not when a
        // new leader forgot this TaskManager meanwhile: they are of the old leader's attempts,
        // whose ids the new leader reuses, so a stale CANCELED would end its attempt.
        if (generation === this.queueGeneration) {
          this.reports.unshift(...reports);
          this.taskStates.unshift(...tasks);
          this.checkpoints.unshift(...checkpoints);
        }
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

  /** Reports waiting to be sent were for a JobManager that forgot this TaskManager. */
  private dropQueued(): void {
    this.queueGeneration++;
    this.reports.length = 0;
    this.taskStates.length = 0;
    this.checkpoints.length = 0;
  }

  /** Logs that the JobManager cannot be reached, once until it answers again, and not at all while it is known to be down. */
  private unreachable(line: string): void {
    this.lostSince ??= Date.now();
    if (this.stopped || this.jobManagerGone || this.unreachableLogged) return;
    this.unreachableLogged = true;
    this.events.log(line);
  }

  /** The open request for commands, asked again as soon as it is answered; never rejects. */
  private async pollCommands(): Promise<void> {
    const id = () => this.registration().id;
    while (!this.stopped) {
      let r: CommandsResponse;
      const registeredAs = this.registrations;
      try {
        r = await this.post<CommandsResponse>(`/internal/taskmanagers/${id()}/commands`, {});
      } catch (err) {
        if (this.stopped) return;
        this.unreachable(`cannot get commands from the JobManager: ${errorMessage(err)}`);
        if (this.lostSince !== undefined && Date.now() - this.lostSince >= this.policy.timeoutMs) {
          this.giveUp(this.timedOut(err instanceof WeirError ? err : new WeirError('JOBMANAGER_UNREACHABLE', errorMessage(err), true)));
          return;
        }
        await this.pause();
        if (this.jobManagerGone && !(await this.registerWhenBack())) return;
        continue;
      }
      this.unreachableLogged = false;
      this.lostSince = undefined;
      if (r.shuttingDown) {
        this.isRegistered = false;
        this.jobManagerGone = true;
        if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
        this.events.log('the JobManager is shutting down; this TaskManager registers again when it is back');
        this.lostSince = Date.now();
        // The JobManager that comes (restarted, or a new leader) knows nothing of the attempts
        // this one ran, and may reuse their ids: they end here, and nothing of them is reported.
        this.dropQueued();
        await this.events.forgotten();
        if (!(await this.registerWhenBack())) return;
        continue;
      }
      if (r.unknown && registeredAs !== this.registrations) continue;
      if (r.unknown) {
        this.isRegistered = false;
        this.dropQueued();
        await this.events.forgotten();
        if (!(await this.registerWhenBack())) return;
        continue;
      }
      if (r.commands.length > 0) this.events.commands(r.commands);
    }
  }

  /** Registers again within the timeout (counted from when the JobManager was lost); false when this TaskManager gave up. */
  private async registerWhenBack(): Promise<boolean> {
    try {
      await this.registerWithinTimeout();
      return true;
    } catch (err) {
      if (!this.stopped) this.giveUp(err instanceof WeirError ? err : new WeirError('INTERNAL', errorMessage(err), false));
      return false;
    }
  }

  private giveUp(err: WeirError): void {
    this.isRegistered = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.events.fatal(err);
  }

  private pause(ms = RETRY_MS): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async stop(): Promise<void> {
    const say = this.isRegistered && !this.jobManagerGone;
    this.stopping.abort();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.polling;
    if (say) await this.disconnect();
  }

  /**
   * Tells the JobManager this TaskManager is gone, so the attempts it ran end at once instead
   * of after the heartbeat timeout. Best effort: a JobManager that cannot be reached learns it
   * from the missing heartbeats, as from a crash.
   */
  private async disconnect(): Promise<void> {
    const path = `/internal/taskmanagers/${this.registration().id}/disconnect`;
    try {
      const r = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(DISCONNECT_TIMEOUT_MS) });
      await r.body?.cancel();
    } catch (err) {
      this.events.log(`could not tell the JobManager this TaskManager stops (it will miss the heartbeats instead): ${errorMessage(err)}`);
    }
  }
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
