/** The operator's Prometheus metrics (served on /metrics). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LIFECYCLE_STATES } from './crd/stream-deployment-schema.ts';
import { AutoscalerMetrics } from './autoscaler/autoscaler-metrics.ts';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'weir_operator_reconciles_total', help: 'Reconciliations of StreamDeployments by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly reconcileErrors = new Counter({ name: 'weir_operator_reconcile_errors_total', help: 'Failed reconciliations by error code', labelNames: ['code'] as const, registers: [this.registry] });
  readonly reconcileDuration = new Histogram({
    name: 'weir_operator_reconcile_duration_seconds',
    help: 'Time to reconcile one StreamDeployment',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly autoscaler = new AutoscalerMetrics(this.registry);

  constructor(sources: { queueDepth: () => number; lifecycleStates: () => Iterable<string | undefined>; leading: () => boolean }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'weir_operator_' });
    // Read at scrape time: a replica whose renew deadline passed says so even before its timer noticed.
    new Gauge({
      name: 'weir_operator_leader',
      help: '1 while this replica holds the leader lease',
      registers: [this.registry],
      collect() {
        this.set(sources.leading() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'weir_operator_workqueue_depth',
      help: 'StreamDeployments waiting to be reconciled',
      registers: [this.registry],
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: 'weir_operator_streamdeployments',
      help: 'StreamDeployments by lifecycle state',
      labelNames: ['lifecycle_state'] as const,
      registers: [this.registry],
      collect() {
        const counts = new Map<string, number>(LIFECYCLE_STATES.map((s) => [s, 0]));
        for (const s of sources.lifecycleStates()) counts.set(s ?? 'CREATED', (counts.get(s ?? 'CREATED') ?? 0) + 1);
        for (const [state, n] of counts) this.set({ lifecycle_state: state }, n);
      },
    });
  }
}
