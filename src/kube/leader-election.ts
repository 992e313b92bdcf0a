/**
 * Leader election on a lock (a coordination.k8s.io/v1 Lease by default, or a ConfigMap's
 * leader annotation), after client-go's leaderelection: a
 * candidate takes the lease when it is free or its record has not changed for a lease
 * duration (by this process's clock), renews it every retry period, and stops leading the
 * moment it has gone renewDeadline without a successful renewal, before anyone else may
 * take over. Writes are resourceVersion-conditioned, so two candidates never both win.
 * After losing the lease the elector becomes a candidate again; it acts as leader only
 * after a fresh onStartedLeading.
 */
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import { WeirError } from '../errors/index.ts';
import { ConfigMapLock } from './configmap-lock.ts';
import { nextRecord, releasedRecord, sameRecord, timingProblem } from './leader-decision.ts';
import type { LeaderLock, LeaderLockKind, ObservedLease } from './leader-lock.ts';
import { KubeLeaseLock } from './lease-lock.ts';

export interface LeaderElectorOptions {
  kubeconfig: KubeConfig;
  /** The name of the Lease or ConfigMap that holds the lock. */
  leaseName: string;
  /** What holds the lock when `lock` is not given (default a Lease). */
  lockKind?: LeaderLockKind;
  namespace: string;
  /** Unique per replica, e.g. the pod name. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up on stop() so a successor need not wait for it to expire (default true). */
  releaseOnStop?: boolean;
  /**
   * Called on becoming leader. Do leader work until `signal` aborts; a returned promise is
   * awaited by stop() before the lease is released, so work finishes before a successor starts.
   */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called at once when leadership ends, by stop() or by failing to renew in time. */
  onStoppedLeading: () => void;
  /** Called when the observed holder changes (including to this identity). */
  onNewLeader?: (identity: string) => void;
  /** Told about failed lease requests and failed leader work; defaults to console.error. */
  onError?: (err: unknown) => void;
  /** A lock built by the caller (a ConfigMap lock with data of the holder's, or a fake in tests). */
  lock?: LeaderLock;
}

export class LeaderElector {
  private readonly lock: LeaderLock;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly stopper = new AbortController();
  private observed: ObservedLease | undefined;
  private observedAt = 0;
  private reportedLeader = '';
  private leading = false;
  /** When the last successful acquire/renew request was sent (monotonic): leadership ends renewDeadline later. */
  private lastRenewStart = 0;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private leaderAbort: AbortController | undefined;
  private leaderWork: Promise<void> | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    const problem = timingProblem({ leaseDurationMs: this.leaseDurationMs, renewDeadlineMs: this.renewDeadlineMs, retryPeriodMs: this.retryPeriodMs });
    if (problem) throw new WeirError('INVALID_CONFIGURATION', `leader election: ${problem}`, false);
    if (!options.identity) throw new WeirError('INVALID_CONFIGURATION', 'leader election: identity must not be empty', false);
    this.lock =
      options.lock ?? (options.lockKind === 'configmaps' ? new ConfigMapLock(options.kubeconfig, options.namespace, options.leaseName) : new KubeLeaseLock(options.kubeconfig, options.namespace, options.leaseName));
    this.onError = options.onError ?? ((err) => console.error(`leader election ${options.namespace}/${options.leaseName}:`, err));
  }

  start(): void {
    if (this.loop) throw new WeirError('LEADER_ELECTION_STARTED', 'the leader elector was already started', false);
    this.loop = this.run();
  }

  /** Stops leading (awaiting the leader work), releases the lease if held, and ends all requests and timers. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  /** True only while the lease is held and the renew deadline has not passed, even if a timer runs late. */
  isLeader(): boolean {
    return this.leading && monotonicNow() < this.lastRenewStart + this.renewDeadlineMs;
  }

  /** The holder this elector last saw in the lease ('' if none). */
  getLeader(): string {
    return this.observed?.record.holderIdentity ?? '';
  }

  private async run(): Promise<void> {
    const stop = this.stopper.signal;
    while (!stop.aborted) {
      const start = monotonicNow();
      if (await this.tryAcquireOrRenew(this.renewDeadlineMs)) {
        this.startLeading(start);
        await this.renewWhileLeading();
      } else {
        await sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), stop);
      }
    }
    if (this.leading) this.stopLeading();
    await this.leaderWork;
    if ((this.options.releaseOnStop ?? true) && this.observed?.record.holderIdentity === this.options.identity) await this.release();
  }

  private async renewWhileLeading(): Promise<void> {
    const stop = this.stopper.signal;
    while (this.leading && !stop.aborted) {
      await sleep(this.retryPeriodMs, stop);
      if (!this.leading || stop.aborted) return;
      const start = monotonicNow();
      // A renewal that cannot finish before the deadline is useless: give it only the time left.
      const ok = await this.tryAcquireOrRenew(this.lastRenewStart + this.renewDeadlineMs - start);
      if (ok && this.leading) {
        this.lastRenewStart = start;
        this.armDeadline();
      }
    }
  }

  private startLeading(renewStart: number): void {
    this.leading = true;
    this.lastRenewStart = renewStart;
    this.armDeadline();
    const abort = new AbortController();
    this.leaderAbort = abort;
    const previous = this.leaderWork;
    this.leaderWork = (async () => {
      await previous; // earlier leader work must be over before new work starts
      if (abort.signal.aborted) return;
      await this.options.onStartedLeading(abort.signal);
    })().catch((err: unknown) => this.onError(err));
  }

  private stopLeading(): void {
    if (!this.leading) return;
    this.leading = false;
    clearTimeout(this.deadlineTimer);
    this.leaderAbort?.abort();
    this.callback(() => this.options.onStoppedLeading());
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.stopLeading(), Math.max(0, this.lastRenewStart + this.renewDeadlineMs - monotonicNow()));
  }

  /** One read and, if allowed, one conditioned write of the lease; false when not holding it. */
  private async tryAcquireOrRenew(timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0) return false;
    return this.withTimeout(timeoutMs, this.stopper.signal, async (signal) => {
      const leaseSeconds = Math.ceil(this.leaseDurationMs / 1000);
      const current = await this.lock.get(signal);
      if (!current) {
        const created = await this.lock.create(nextRecord(undefined, 0, monotonicNow(), this.options.identity, leaseSeconds, Date.now())!, signal);
        if (created) this.observe(created);
        return created !== undefined;
      }
      this.observe(current);
      const record = nextRecord(current.record, this.observedAt, monotonicNow(), this.options.identity, leaseSeconds, Date.now());
      if (!record) return false;
      const updated = await this.lock.update(record, current.resourceVersion, signal);
      if (updated) this.observe(updated);
      return updated !== undefined;
    });
  }

  private async release(): Promise<void> {
    const observed = this.observed!;
    await this.withTimeout(this.renewDeadlineMs, undefined, async (signal) => {
      const released = await this.lock.update(releasedRecord(observed.record, Date.now()), observed.resourceVersion, signal);
      if (released) this.observe(released);
      return released !== undefined;
    });
  }

  /** Remembers the lease; the expiry clock restarts only when its record actually changed. */
  private observe(lease: ObservedLease): void {
    if (!this.observed || !sameRecord(this.observed.record, lease.record)) this.observedAt = monotonicNow();
    this.observed = lease;
    const holder = lease.record.holderIdentity;
    if (holder !== '' && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.callback(() => this.options.onNewLeader?.(holder));
    }
  }

  /** A throwing callback must not break the election loop or a timer; its error is reported. */
  private callback(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }

  /** Runs a lease request that is aborted after `ms` or by `parent`; failures are reported and count as false. */
  private async withTimeout(ms: number, parent: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<boolean>): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), ms);
    const onParentAbort = (): void => controller.abort();
    parent?.addEventListener('abort', onParentAbort, { once: true });
    try {
      return await fn(controller.signal);
    } catch (err) {
      if (!controller.signal.aborted) this.onError(err);
      else if (!parent?.aborted) this.onError(new WeirError('LEASE_TIMEOUT', `lease request took longer than ${ms}ms`, true, { cause: err }));
      return false;
    } finally {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    }
  }
}

/**
 * Every duration the election measures (lease expiry, renew deadline) is on this clock, which
 * never jumps: a wall clock stepped back would keep a deposed leader acting past its deadline.
 */
function monotonicNow(): number {
  return performance.now();
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind either way. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
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
