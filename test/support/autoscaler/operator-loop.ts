/**
 * The operator's autoscaler as a simulation policy: every evaluation is one reconcile pass of
 * a STABLE deployment, through the functions the operator runs (the sample store the plan
 * executor keeps, `autoscalerOnStablePass` of the reconciler: decision, stabilization,
 * scale-down delay, status round trip, applied parallelism, restart time learned from the
 * rescale's completion). While the job restarts there is no STABLE pass and the executor
 * forgets its samples, as it does for a job that does not run every task.
 */
import { resolveAutoscalerConfig } from '../../../src/kube-operator/autoscaler/autoscaler-config.ts';
import type { ObservedVertex } from '../../../src/kube-operator/autoscaler/jobmanager-vertex-metrics.ts';
import { SampleStore } from '../../../src/kube-operator/autoscaler/sample-store.ts';
import { scaledSpec } from '../../../src/kube-operator/autoscaler/scaled-spec.ts';
import type { ScalingReportEvent } from '../../../src/kube-operator/autoscaler/scaling-report.ts';
import type { VertexSample } from '../../../src/kube-operator/autoscaler/scaling-inputs.ts';
import type { PartitionLag, SourceLag } from '../../../src/kube-operator/autoscaler/source-lag.ts';
import { autoscalerOnStablePass } from '../../../src/kube-operator/autoscaler/stable-pass.ts';
import { canonicalJson } from '../../../src/kube-operator/children/stable-hash.ts';
import type { AutoscalerSpec, AutoscalerStatus } from '../../../src/kube-operator/crd/autoscaler-schema.ts';
import type { StreamDeploymentSpec } from '../../../src/kube-operator/crd/stream-deployment-schema.ts';
import { KEYED, SOURCE } from './job-model.ts';
import type { JobModelOptions } from './job-model.ts';
import type { Policy } from './simulation.ts';

const KEY = 'sim/job';

export class OperatorAutoscaler implements Policy {
  readonly name = 'weir';
  readonly spec: StreamDeploymentSpec;
  /** status.autoscaler as the operator last wrote it. */
  status: AutoscalerStatus | undefined;
  readonly events: ScalingReportEvent[] = [];
  private readonly samples = new SampleStore();
  private readonly windowMs: number;
  /** The spec the running job was deployed with, as the reconciler records it. */
  private deployed: string;

  constructor(
    private readonly model: JobModelOptions,
    autoscaler: AutoscalerSpec = { enabled: true },
  ) {
    this.spec = { image: 'weir:sim', job: { entry: '/opt/weir/job/sim.ts', parallelism: 1, upgradeMode: 'savepoint' }, autoscaler };
    this.windowMs = resolveAutoscalerConfig(autoscaler).metricsWindowMs;
    this.deployed = canonicalJson(scaledSpec(this.spec, undefined));
  }

  evaluate(t: number, samples: Record<string, VertexSample> | undefined, current: Readonly<Record<string, number>>): Record<string, number> | undefined {
    if (!samples) {
      this.samples.forget(KEY);
      return undefined;
    }
    const vertices = this.samples.add(KEY, observedVertices(this.model, current, samples), new Map([[SOURCE, sourceLag(this.model, samples[SOURCE]!)]]), this.windowMs);
    const outcome = autoscalerOnStablePass(this.status, this.spec, this.deployed, vertices, new Date(t * 1000));
    if (!outcome) return undefined;
    this.status = outcome.autoscaler;
    this.events.push(...outcome.events);
    if (!outcome.acted) return undefined;
    // The next pass deploys the user's spec with the applied parallelism on top (a SCALE upgrade).
    this.deployed = canonicalJson(scaledSpec(this.spec, this.status));
    return { ...this.status.appliedParallelism };
  }
}

/** What the JobManager reports of the model's vertices: no lag (that comes from Kafka). */
function observedVertices(model: JobModelOptions, current: Readonly<Record<string, number>>, samples: Record<string, VertexSample>): ObservedVertex[] {
  const reported = (s: VertexSample): VertexSample => ({ at: s.at, recordsInPerSecond: s.recordsInPerSecond, recordsOutPerSecond: s.recordsOutPerSecond, busyTimeMsPerSecond: s.busyTimeMsPerSecond, backPressuredTimeMsPerSecond: s.backPressuredTimeMsPerSecond });
  return [
    { id: SOURCE, name: 'Source: events', parallelism: current[SOURCE]!, maxParallelism: model.keyGroups, keyed: false, inputs: [], sample: reported(samples[SOURCE]!) },
    { id: KEYED, name: 'KeyedAggregate', parallelism: current[KEYED]!, maxParallelism: model.keyGroups, keyed: true, inputs: [SOURCE], sample: reported(samples[KEYED]!) },
  ];
}

/** The source's latest offsets and committed lag spread over its partitions, as the Kafka lag reader returns them. */
function sourceLag(model: JobModelOptions, s: VertexSample): SourceLag {
  const n = model.partitions;
  const share = (total: number, i: number) => Math.floor(total / n) + (i === n - 1 ? total % n : 0);
  const partitions: PartitionLag[] = Array.from({ length: n }, (_, i) => {
    const latest = share(s.latestOffsets ?? 0, i);
    const lag = share(s.lag ?? 0, i);
    return { topic: 'events', partition: i, earliest: 0, latest, committed: latest - lag, lag };
  });
  return { at: s.at, measure: 'committed-offsets', partitions, totalLag: s.lag ?? 0, partitionCount: n, latestOffsets: partitions.reduce((sum, p) => sum + p.latest, 0) };
}
