import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import type { LeaderElectorOptions } from '../../src/kube/leader-election.ts';
import { startKubeServer } from '../support/kube/index.ts';
import type { KubeServer } from '../support/kube/index.ts';
import { eventually } from '../support/eventually.ts';
import { timerLateness } from '../support/timer-lateness.ts';

// client-go's lease duration and renew deadline (15s / 10s) scaled down five times, with a
// shorter retry period: fast, yet a leader on a busy machine still renews well within its deadline.
const LEASE_MS = 3000;
const RENEW_DEADLINE_MS = 2000;
const RETRY_MS = 200;

interface Candidate {
  elector: LeaderElector;
  events: string[];
  signals: AbortSignal[];
}

/** Forwards TCP to the API server until cut, so one candidate can lose the API while the other keeps it. */
class Proxy {
  private readonly sockets = new Set<Socket>();
  private broken = false;
  private server: Server | undefined;

  async start(targetPort: number): Promise<number> {
    this.server = createServer((client) => {
      if (this.broken) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => (s === client ? upstream : client).destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  cut(): void {
    this.broken = true;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

describe('LeaderElector against the Kubernetes API test server', () => {
  let server: KubeServer;
  before(async () => {
    server = await startKubeServer({ controllers: false });
  });
  after(async () => {
    await server.close();
  });

  function candidate(identity: string, leaseName: string, extra: Partial<LeaderElectorOptions> = {}): Candidate {
    const events: string[] = [];
    const signals: AbortSignal[] = [];
    const elector = new LeaderElector({
      kubeconfig: server.kubeconfig,
      leaseName,
      namespace: 'default',
      identity,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_DEADLINE_MS,
      retryPeriodMs: RETRY_MS,
      onStartedLeading: (signal) => {
        events.push('started');
        signals.push(signal);
      },
      onStoppedLeading: () => events.push('stopped'),
      onNewLeader: (who) => events.push(`leader ${who}`),
      onError: () => {},
      ...extra,
    });
    return { elector, events, signals };
  }

  /** Samples both electors every few ms and records any moment at which both claim to lead. */
  function watchForSplitBrain(a: LeaderElector, b: LeaderElector): { stop: () => number } {
    let both = 0;
    const timer = setInterval(() => {
      if (a.isLeader() && b.isLeader()) both++;
    }, 3);
    return { stop: () => (clearInterval(timer), both) };
  }

  /**
   * Waits for `n` more renewals of the Lease by `identity`. The leader renews once per retry
   * period, and every other candidate tries once per retry period too, so this is how the
   * tests let time pass without sleeping.
   */
  async function renewals(leaseName: string, identity: string, n: number): Promise<void> {
    let seen = 0;
    const unsubscribe = server.store.subscribe((e) => {
      if (e.type === 'MODIFIED' && e.object.kind === 'Lease' && e.object.metadata.name === leaseName && (e.object.spec as { holderIdentity?: string }).holderIdentity === identity) seen++;
    });
    try {
      await eventually(() => (seen >= n ? true : undefined), 30_000, `${n} renewals of ${leaseName} by ${identity}`, () => seen);
    } finally {
      unsubscribe();
    }
  }

  async function holder(leaseName: string): Promise<string> {
    const lease = await server.kubeconfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: leaseName, namespace: 'default' });
    return lease.spec?.holderIdentity ?? '';
  }

  it('elects exactly one leader, and hands over at once when the leader stops and releases', async (t) => {
    const a = candidate('a', 'handover');
    const b = candidate('b', 'handover');
    t.after(() => Promise.all([a.elector.stop(), b.elector.stop()]));
    const sampler = watchForSplitBrain(a.elector, b.elector);
    a.elector.start();
    b.elector.start();
    const lateness = timerLateness();
    const first = await eventually(() => (a.elector.isLeader() ? a : b.elector.isLeader() ? b : undefined), 30_000, 'a leader');
    const second = first === a ? b : a;
    const firstId = first === a ? 'a' : 'b';
    const secondId = first === a ? 'b' : 'a';
    await renewals('handover', firstId, 3);
    assert.equal(second.elector.isLeader(), false);
    assert.equal(await holder('handover'), firstId);
    assert.equal(second.elector.getLeader(), firstId);

    const stoppedAt = Date.now();
    await first.elector.stop();
    assert.deepEqual(first.events, [`leader ${firstId}`, 'started', 'stopped']);
    assert.equal(first.signals[0]!.aborted, true);
    await eventually(() => (second.elector.isLeader() ? true : undefined), 30_000, 'takeover');
    const takeoverMs = Date.now() - stoppedAt;
    assert.ok(takeoverMs < RETRY_MS * 1.2 + 200 + lateness.maxMs(), `a released lease is taken within a retry period (took ${takeoverMs}ms, timers up to ${lateness.maxMs()}ms late)`);
    assert.deepEqual(second.events, [`leader ${firstId}`, `leader ${secondId}`, 'started']);
    assert.equal(await holder('handover'), secondId);
    assert.equal(sampler.stop(), 0, 'never two leaders');
  });

  it('a leader cut off from the API stops leading by its renew deadline; the other takes over after the lease expires', async (t) => {
    const proxy = new Proxy();
    const port = await proxy.start(server.port);
    const cutOff = new KubeConfig();
    cutOff.loadFromString(server.kubeconfigYaml.replace(`:${server.port}`, `:${port}`));
    const a = candidate('a', 'partition', { kubeconfig: cutOff });
    const b = candidate('b', 'partition');
    t.after(() => Promise.all([a.elector.stop(), b.elector.stop(), proxy.close()]));
    a.elector.start();
    await eventually(() => (a.elector.isLeader() ? true : undefined), 30_000, 'a leads');
    b.elector.start();
    await eventually(() => (b.elector.getLeader() === 'a' ? true : undefined), 30_000, 'b sees a');
    const sampler = watchForSplitBrain(a.elector, b.elector);
    const lateness = timerLateness();

    const cutAt = Date.now();
    proxy.cut();
    await eventually(() => (a.events.includes('stopped') ? true : undefined), 30_000, 'a stops leading');
    const stoppedAfter = Date.now() - cutAt;
    assert.ok(stoppedAfter <= RENEW_DEADLINE_MS + 150 + lateness.maxMs(), `a stopped within its renew deadline (${stoppedAfter}ms, timers up to ${lateness.maxMs()}ms late)`);
    assert.equal(a.signals[0]!.aborted, true);
    await eventually(() => (b.elector.isLeader() ? true : undefined), 30_000, 'b takes over');
    const takeoverAfter = Date.now() - cutAt;
    assert.ok(takeoverAfter <= LEASE_MS + RETRY_MS * 1.2 + 250 + lateness.maxMs(), `b took over within leaseDuration + retryPeriod (${takeoverAfter}ms, timers up to ${lateness.maxMs()}ms late)`);
    assert.ok(takeoverAfter >= LEASE_MS - RETRY_MS - 50, `b waited for a's lease to expire (${takeoverAfter}ms)`);
    await renewals('partition', 'b', 3);
    assert.deepEqual(a.events, ['leader a', 'started', 'stopped'], 'cut off, a never even sees b');
    assert.equal(a.elector.isLeader(), false, 'a never leads again while cut off');
    assert.equal(sampler.stop(), 0, 'never two leaders');
  });

  it('keeps leading through conflicts on renewal, and without release a successor waits for expiry', async (t) => {
    const a = candidate('a', 'conflicts', { releaseOnStop: false });
    const b = candidate('b', 'conflicts');
    t.after(() => Promise.all([a.elector.stop(), b.elector.stop()]));
    a.elector.start();
    await eventually(() => (a.elector.isLeader() ? true : undefined), 30_000, 'a leads');
    b.elector.start();
    const sampler = watchForSplitBrain(a.elector, b.elector);
    const failed = server.faults.fired('fail');
    server.faults.fail(2, 409, { method: 'PUT', path: '/leases/conflicts' });
    // Renewals after the two refused ones: a got through the conflicts.
    await renewals('conflicts', 'a', 3);
    assert.equal(server.faults.fired('fail') - failed, 2);
    assert.equal(a.elector.isLeader(), true, 'two failed renewals are within the renew deadline');
    assert.deepEqual(a.events, ['leader a', 'started']);
    assert.equal(b.elector.isLeader(), false);

    // A crash (no release): b must wait out the lease measured from its own observation.
    const lateness = timerLateness();
    const stoppedAt = Date.now();
    await a.elector.stop();
    await eventually(() => (b.elector.isLeader() ? true : undefined), 30_000, 'b takes over');
    const takeover = Date.now() - stoppedAt;
    assert.ok(takeover >= LEASE_MS - RETRY_MS * 1.2 - 50 && takeover <= LEASE_MS + RETRY_MS * 1.2 + 250 + lateness.maxMs(), `took over after about a lease duration (${takeover}ms, timers up to ${lateness.maxMs()}ms late)`);
    assert.equal(await holder('conflicts'), 'b');
    assert.equal(sampler.stop(), 0, 'never two leaders');
  });
});
