/**
 * The operator process: an HTTP endpoint for probes and metrics, leader election on a Lease
 * (or a ConfigMap), and a StreamDeployment controller that exists only while this replica
 * leads. Losing the lease stops the controller at once; `lost` tells the command to exit so Kubernetes
 * restarts the replica as a fresh candidate, as client-go based operators do.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { errorMessage } from '../errors/index.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import type { LeaderLockKind } from '../kube/leader-lock.ts';
import { OperatorHttpServer } from './controller/http-server.ts';
import { OperatorMetrics } from './operator-metrics.ts';
import { StreamDeploymentController } from './stream-deployment-controller.ts';
import type { ControllerOptions } from './stream-deployment-controller.ts';

export interface LeaderElectionSettings {
  enabled: boolean;
  /** What holds the lock (default a Lease; `configmaps` for clusters that allow ConfigMaps only). */
  lock?: LeaderLockKind;
  leaseName: string;
  leaseNamespace: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface OperatorOptions extends Omit<ControllerOptions, 'kc'> {
  kc: KubeConfig;
  leaderElection: LeaderElectionSettings;
  httpPort: number;
  httpHost?: string;
}

export class WeirOperator {
  private controller: StreamDeploymentController | undefined;
  private elector: LeaderElector | undefined;
  private readonly http: OperatorHttpServer;
  readonly metrics: OperatorMetrics;
  private stopped = false;
  private resolveLost!: () => void;
  /** Resolves when this replica loses leadership it held (not on stop()). */
  readonly lost = new Promise<void>((resolve) => (this.resolveLost = resolve));

  constructor(private readonly o: OperatorOptions) {
    this.metrics = new OperatorMetrics({ queueDepth: () => this.controller?.queue.len() ?? 0, lifecycleStates: () => this.controller?.lifecycleStates() ?? [], leading: () => this.leading });
    this.http = new OperatorHttpServer({
      registry: this.metrics.registry,
      healthy: () => !this.stopped,
      // A standby replica is ready: it is up and waiting for the lease.
      ready: () => this.controller === undefined || this.controller.synced,
    });
  }

  /** True while the controller runs and the lease is held by this replica's own (monotonic) deadline. */
  get leading(): boolean {
    return this.controller !== undefined && (this.elector?.isLeader() ?? true);
  }

  /** Starts serving probes and metrics and competing for the lease; returns the HTTP port. */
  async start(): Promise<number> {
    const port = await this.http.listen(this.o.httpPort, this.o.httpHost ?? '0.0.0.0');
    const le = this.o.leaderElection;
    if (!le.enabled) {
      this.lead();
      return port;
    }
    this.elector = new LeaderElector({
      kubeconfig: this.o.kc,
      leaseName: le.leaseName,
      lockKind: le.lock,
      namespace: le.leaseNamespace,
      identity: this.o.identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      onStartedLeading: () => this.lead(),
      onStoppedLeading: () => {
        void this.follow();
      },
      onNewLeader: (id: string) => this.o.log(`leader is now ${id}`),
    });
    this.elector.start();
    return port;
  }

  private lead(): void {
    if (this.stopped || this.controller) return;
    this.o.log(`${this.o.identity} leads: reconciling StreamDeployments in ${this.o.namespaces.length > 0 ? this.o.namespaces.join(', ') : 'all namespaces'}`);
    // Each reconcile first asks the elector: a renew deadline that passed stops work even when the timer that ends leadership runs late.
    this.controller = new StreamDeploymentController({ ...this.o, stillLeading: () => this.elector?.isLeader() ?? true }, this.metrics);
    this.controller.start();
  }

  private async follow(): Promise<void> {
    const controller = this.controller;
    this.controller = undefined;
    if (!controller) return;
    this.o.log(`${this.o.identity} lost the lease: stopping all work`);
    try {
      await controller.stop();
    } catch (err) {
      this.o.log(`stopping the controller: ${errorMessage(err)}`);
    }
    if (!this.stopped) this.resolveLost();
  }

  /** Stops reconciling, releases the lease and closes the HTTP endpoint. */
  async stop(): Promise<void> {
    this.stopped = true;
    const controller = this.controller;
    this.controller = undefined;
    await controller?.stop();
    await this.elector?.stop();
    await this.http.close();
  }
}
