/**
 * A JobManager's leadership of its cluster under Kubernetes HA: leader election on
 * `<cluster-id>-cluster-config-map` (its `control-plane.alpha.kubernetes.io/leader`
 * annotation, with this JobManager's REST address and a session id beside it while it
 * leads), and the job's HA store, which writes only while this JobManager leads.
 */
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigMapLock } from '../../../kube/configmap-lock.ts';
import { LeaderElector } from '../../../kube/leader-election.ts';
import { clusterConfigMapName, haLabels } from './ha-config.ts';
import type { KubernetesHaConfig } from './ha-config.ts';
import { KubernetesJobHaStore } from './kubernetes-job-store.ts';
import type { JobResultStore } from './job-result-store.ts';

export interface LeadershipOptions {
  kc: KubeConfig;
  namespace: string;
  /** Unique per process: a restarted JobManager must not inherit its previous run's lock. */
  identity: string;
  /** This JobManager's REST URL, published while it leads. */
  address: string;
  /** Called on becoming leader; leadership ends when `signal` aborts. */
  onLeading(signal: AbortSignal): void;
  /** Leadership ended other than by stop(): this JobManager must stop acting at once. */
  onLost(): void;
  onError(err: unknown): void;
}

export class KubernetesLeadership {
  private readonly elector: LeaderElector;
  private stopping = false;

  constructor(
    private readonly ha: KubernetesHaConfig,
    private readonly o: LeadershipOptions,
  ) {
    let sessionId = randomUUID();
    const lock = new ConfigMapLock(o.kc, o.namespace, clusterConfigMapName(ha.clusterId), {
      labels: haLabels(ha.clusterId),
      holderData: { identity: o.identity, data: () => ({ address: o.address, sessionId }) },
    });
    this.elector = new LeaderElector({
      kubeconfig: o.kc,
      leaseName: clusterConfigMapName(ha.clusterId),
      namespace: o.namespace,
      identity: o.identity,
      lock,
      leaseDurationMs: ha.leaseDurationMs,
      renewDeadlineMs: ha.renewDeadlineMs,
      retryPeriodMs: ha.retryPeriodMs,
      onStartedLeading: (signal) => {
        sessionId = randomUUID();
        o.onLeading(signal);
      },
      onStoppedLeading: () => {
        if (!this.stopping) o.onLost();
      },
      onError: (err) => o.onError(err),
    });
  }

  start(): void {
    this.elector.start();
  }

  isLeader(): boolean {
    return this.elector.isLeader();
  }

  /** The holder last seen on the lock ('' if none). */
  leader(): string {
    return this.elector.getLeader();
  }

  /** The job's HA ConfigMap, written only while this JobManager leads and owns it, and where its result goes when it ends. */
  jobStore(results: JobResultStore | undefined): KubernetesJobHaStore {
    return new KubernetesJobHaStore(this.o.kc, this.o.namespace, this.ha.clusterId, this.ha.jobId, this.o.identity, () => this.elector.isLeader(), results);
  }

  /** Steps down and releases the lock, so a standby need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.elector.stop();
  }
}
