/**
 * What the stateful upgrade tests share: one Kubernetes test cluster with the process kubelet,
 * the operator in this process (with kill points and a record of its stop-with-savepoint
 * triggers), a host directory both kinds of pod mount, and the exactly-once checks of the
 * job in test/fixtures/jobs/exactly-once-sequences.ts, which counts per key in keyed state and
 * commits `seq,<key>,<seq>,<count>` through the exactly-once file sink.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeCluster } from '../support/kube/index.ts';
import type { KubeObject } from '../support/kube/types.ts';
import { WeirOperator } from '../../src/kube-operator/weir-operator.ts';
import type { OperatorOptions } from '../../src/kube-operator/weir-operator.ts';
import { HttpJobManagerApi } from '../../src/kube-operator/jobmanager/http-jobmanager-api.ts';
import type { JobManagerApi } from '../../src/kube-operator/jobmanager/jobmanager-api.ts';
import { jobManagerServiceUrl } from '../../src/kube-operator/children/names.ts';
import type { StreamDeploymentSpec, StreamDeploymentStatus } from '../../src/kube-operator/crd/stream-deployment-schema.ts';
import { SD, sharedHostDir, startOperatorTestCluster, statusOf, until } from './operator-support.ts';

export const SEQUENCES_JOB = resolve('test/fixtures/jobs/exactly-once-sequences.ts');

/**
 * Where the operator under test may be stopped, as if its process were killed there: after the
 * stop-with-savepoint was sent, after the savepoint completed, once the old JobManager pod is
 * deleted, once a new JobManager pod is created, once a stateless upgrade wrote DROPPING_STATE.
 */
export type KillPoint = 'trigger' | 'completed' | 'jobmanager-deleted' | 'jobmanager-created' | 'dropping-state';

export interface RestoredFrom {
  id: number;
  is_savepoint: boolean;
  external_path: string;
}

export class UpgradeRig {
  operator!: WeirOperator;
  readonly logs: string[] = [];
  /** Distinct trigger ids of stop-with-savepoint requests (a resent trigger keeps its id). */
  readonly stopTriggers = new Set<string>();
  /** When set, the operator is stopped right after this happens. */
  killAt: KillPoint | undefined;
  /** Called after each stop-with-savepoint request the JobManager accepted. */
  onStopTriggered: ((jobId: string) => void) | undefined;
  stopping: Promise<void> | undefined;

  private constructor(readonly cluster: KubeCluster, readonly dir: string, readonly name: string) {}

  static async start(name: string): Promise<UpgradeRig> {
    const dir = await mkdtemp(join(tmpdir(), `weir-${name}-`));
    const rig = new UpgradeRig(await startOperatorTestCluster(), dir, name);
    // The store tells of each pod write as it happens, so the kill lands right after it.
    rig.cluster.server.store.subscribe((e) => {
      const upgrade = (e.object.status as StreamDeploymentStatus | undefined)?.reconciliation?.upgrade;
      if (rig.killAt === 'dropping-state' && e.key === 'weir.dev/streamdeployments' && upgrade?.step === 'DROPPING_STATE') rig.kill();
      if (e.key !== '/pods' || e.object.metadata.labels?.['app.kubernetes.io/component'] !== 'jobmanager' || e.object.metadata.labels['app.kubernetes.io/instance'] !== name) return;
      const deleted = e.type === 'DELETED' || e.object.metadata.deletionTimestamp !== undefined;
      if ((rig.killAt === 'jobmanager-deleted' && deleted) || (rig.killAt === 'jobmanager-created' && e.type === 'ADDED')) rig.kill();
    });
    await rig.startOperator();
    return rig;
  }

  async stop(): Promise<void> {
    await this.stopping;
    await this.operator.stop();
    await this.cluster.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** A new operator process, as after the old one was killed. */
  async startOperator(): Promise<void> {
    const options: OperatorOptions = {
      kc: this.cluster.server.kubeconfig,
      identity: 'operator-under-test',
      namespaces: [],
      httpPort: 0,
      httpHost: '127.0.0.1',
      timing: { progressIntervalMs: 300, stableIntervalMs: 1000 },
      jobManagerApi: (name, namespace) => this.jobManagerApi(name, namespace),
      leaderElection: { enabled: false, leaseName: 'weir-operator', leaseNamespace: 'default', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      log: (l) => this.logs.push(l),
    };
    this.operator = new WeirOperator(options);
    await this.operator.start();
  }

  /** The HTTP JobManagerApi, with the kill points and the trigger ids of stop-with-savepoint requests. */
  private jobManagerApi(name: string, namespace: string): JobManagerApi {
    const api = new HttpJobManagerApi(jobManagerServiceUrl(name, namespace));
    return {
      currentJob: () => api.currentJob(),
      cancel: (jobId) => api.cancel(jobId),
      triggerCheckpoint: (jobId, triggerId) => api.triggerCheckpoint(jobId, triggerId),
      vertexMetrics: (jobId) => api.vertexMetrics(jobId),
      triggerSavepoint: async (jobId, triggerId, then) => {
        await api.triggerSavepoint(jobId, triggerId, then);
        if (then === 'stop') {
          this.stopTriggers.add(triggerId);
          this.onStopTriggered?.(jobId);
        }
        if (this.killAt === 'trigger') this.kill();
      },
      snapshotStatus: async (jobId, kind, triggerId) => {
        const outcome = await api.snapshotStatus(jobId, kind, triggerId);
        if (this.killAt === 'completed' && outcome.status === 'COMPLETED') this.kill();
        return outcome;
      },
    };
  }

  private kill(): void {
    this.killAt = undefined;
    // The controller aborts at once: no later action of this pass (or any other) runs.
    this.stopping = this.operator.stop();
  }

  /** Creates the StreamDeployment running the sequences job (or `job.entry`), with checkpoints and savepoints under the shared directory; `rest`: other spec fields. */
  create(configuration: Record<string, string>, job: Partial<StreamDeploymentSpec['job']>, rest: Partial<StreamDeploymentSpec> = {}): void {
    this.cluster.server.api.create({
      ...SD,
      metadata: { name: this.name, namespace: 'default' },
      spec: {
        image: 'weir:test',
        ...sharedHostDir(this.dir),
        configuration: {
          'execution.checkpointing.interval': '300ms',
          'state.checkpoints.dir': join(this.dir, 'checkpoints'),
          'state.savepoints.dir': join(this.dir, 'savepoints'),
          'restart-strategy.type': 'fixed-delay',
          'restart-strategy.fixed-delay.attempts': '10',
          'restart-strategy.fixed-delay.delay': '200ms',
          ...configuration,
        },
        job: { entry: SEQUENCES_JOB, ...job },
        ...rest,
      },
    });
  }

  status(): StreamDeploymentStatus {
    return statusOf(this.cluster, this.name);
  }

  /** A merge patch of the spec; returns the new generation. */
  patch(spec: object): number | undefined {
    return this.cluster.server.api.patch(SD.apiVersion, SD.kind, 'default', this.name, 'application/merge-patch+json', { spec }).metadata.generation;
  }

  events(reason: string): KubeObject[] {
    return this.cluster.server.api.list('v1', 'Event', 'default').filter((e) => e.reason === reason && (e.involvedObject as { name: string }).name === this.name);
  }

  pods(component: 'jobmanager' | 'taskmanager'): KubeObject[] {
    return this.cluster.server.api.list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component && p.metadata.labels?.['app.kubernetes.io/instance'] === this.name);
  }

  /** The uid of the one JobManager pod, if there is exactly one. */
  jobManagerPod(): string | undefined {
    const pods = this.pods('jobmanager');
    return pods.length === 1 ? pods[0]!.metadata.uid : undefined;
  }

  /** The jobs the JobManager behind the Service knows: [id, state]. */
  async jobs(): Promise<string[][]> {
    const overview = (await (await fetch(`${jobManagerServiceUrl(this.name, 'default')}/jobs/overview`)).json()) as { jobs: { jid: string; state: string }[] };
    return overview.jobs.map((j) => [j.jid, j.state]);
  }

  /** What the running JobManager says `jobId` was last restored from (null: started empty). */
  async restoredFrom(jobId: string): Promise<RestoredFrom | null> {
    const res = await fetch(`${jobManagerServiceUrl(this.name, 'default')}/jobs/${jobId}/checkpoints`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { latest: { restored: RestoredFrom | null } }).latest.restored;
  }

  async savepointDirs(): Promise<string[]> {
    return (await readdir(join(this.dir, 'savepoints')).catch(() => [] as string[])).filter((n) => n.startsWith('savepoint-'));
  }

  /** The job's arguments: endless input at `rate` records a second, written to `out` under the shared directory. */
  args(out: string, rate: number): string[] {
    return ['--records', '100000000', '--rate', String(rate), '--out', join(this.dir, out)];
  }

  /** Committed lines `seq,<key>,<seq>,<count>` by key. */
  private async committed(out: string): Promise<Map<number, number[][]>> {
    const names = (await readdir(join(this.dir, out)).catch(() => [] as string[])).filter((n) => n.startsWith('part-'));
    const lines = (await Promise.all(names.map((n) => readFile(join(this.dir, out, n), 'utf8')))).flatMap((t) => t.split('\n')).filter((l) => l.startsWith('seq,'));
    const byKey = new Map<number, number[][]>();
    for (const l of lines) {
      const [, key, seq, count] = l.split(',').map(Number);
      byKey.set(key!, [...(byKey.get(key!) ?? []), [seq!, count!]]);
    }
    return byKey;
  }

  /**
   * Each key's split is read in index order, so what is committed of a key is a prefix of its
   * sequence: 0..n exactly once each, counted 1..n+1 from state that went on across every job.
   * Returns how many lines were committed.
   */
  async assertCountsExact(out: string): Promise<number> {
    const byKey = await this.committed(out);
    assert.equal(byKey.size, 4, `keys committed to ${out}`);
    let total = 0;
    for (const [key, pairs] of byKey) {
      const sorted = [...pairs].sort((a, b) => a[0]! - b[0]!);
      sorted.forEach(([seq, count], i) => {
        assert.equal(seq, i, `key ${key}: sequence number ${i} committed exactly once (found ${seq})`);
        assert.equal(count, seq! + 1, `key ${key} seq ${seq}: the count went on from the restored state`);
      });
      total += sorted.length;
    }
    return total;
  }

  /** Waits until committed output moved past `minLines`, exact all along. */
  async moreOutput(out: string, minLines: number): Promise<number> {
    return until(`committed output past ${minLines} lines`, async () => {
      const n = await this.assertCountsExact(out);
      return n > minLines ? n : undefined;
    }, 60_000);
  }

  /**
   * Waits until the spec of `generation` runs STABLE with no upgrade in progress, on a job that
   * `isNew` accepts (by default: another job id than `previousJob`), and output moved past `minLines`.
   */
  async stableAgain(generation: number | undefined, previousJob: string | undefined, out = 'out', minLines = 0, isNew = (s: StreamDeploymentStatus) => s.job?.id !== previousJob): Promise<StreamDeploymentStatus> {
    const s = await until('STABLE on the new spec', () => {
      const st = this.status();
      return st.lifecycleState === 'STABLE' && st.observedGeneration === generation && st.job?.state === 'RUNNING' && isNew(st) && st.reconciliation?.upgrade === undefined ? st : undefined;
    }, 120_000, () => this.status());
    await this.moreOutput(out, minLines);
    return s;
  }
}
