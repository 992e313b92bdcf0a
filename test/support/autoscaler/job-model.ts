/**
 * A queueing model of a two-vertex job reading Kafka: a source (cheap per record, one
 * subtask per partition at most) feeding a keyed aggregation (the expensive part) through a
 * hash edge. Records wait in Kafka (the lag) until the job can take them. A subtask's
 * capacity is fixed; a vertex is as fast as its busiest subtask, which holds ceil(units / p)
 * of the key groups (or partitions). A rescale stops processing for the restart time. What
 * the autoscalers see is what a real one sees: per-vertex rates, busy time averaged over
 * subtasks (with measurement noise) and the lag against committed offsets, which also
 * counts what was read since the last checkpoint.
 */
import { seeded } from './load-curves.ts';
import type { VertexSample } from '../../../src/kube-operator/autoscaler/scaling-inputs.ts';

export interface JobModelOptions {
  partitions: number;
  keyGroups: number;
  /** Records per second one subtask of each vertex can process. */
  sourceCapacity: number;
  keyedCapacity: number;
  restartS: number;
  checkpointIntervalS: number;
  /** +/- share of noise on measured busy time. */
  busyNoise: number;
}

export const SOURCE = 'source';
export const KEYED = 'keyed';

export class JobModel {
  lag = 0;
  /** Records ever produced to the topic: the sum of its latest offsets. */
  produced = 0;
  parallelism: Record<string, number>;
  private restartUntil = -Infinity;
  private readonly random = seeded(42);
  /** Records processed since the last sample, and since the last checkpoint. */
  private processedSinceSample = 0;
  private sinceSampleS = 0;
  private processedSinceCheckpoint = 0;

  constructor(
    readonly options: JobModelOptions,
    initial: number,
  ) {
    this.parallelism = { [SOURCE]: initial, [KEYED]: initial };
  }

  /** Records per second the job can process now. */
  capacity(): number {
    const o = this.options;
    const busiest = (units: number, p: number) => Math.ceil(units / Math.min(p, units)) / units;
    return Math.min(o.sourceCapacity / busiest(o.partitions, this.parallelism[SOURCE]!), o.keyedCapacity / busiest(o.keyGroups, this.parallelism[KEYED]!));
  }

  restarting(t: number): boolean {
    return t < this.restartUntil;
  }

  /** Advances `dt` seconds at input rate `rate`. */
  step(t: number, dt: number, rate: number): void {
    const arrived = rate * dt;
    this.produced += arrived;
    const processed = this.restarting(t) ? 0 : Math.min(this.lag + arrived, this.capacity() * dt);
    this.lag += arrived - processed;
    this.processedSinceSample += processed;
    this.sinceSampleS += dt;
    this.processedSinceCheckpoint += processed;
    if (Math.floor((t + dt) / this.options.checkpointIntervalS) > Math.floor(t / this.options.checkpointIntervalS)) this.processedSinceCheckpoint = 0;
  }

  /** The samples an autoscaler reads now; undefined while restarting (the tasks report nothing). */
  sample(t: number): Record<string, VertexSample> | undefined {
    const rate = this.sinceSampleS > 0 ? this.processedSinceSample / this.sinceSampleS : 0;
    this.processedSinceSample = 0;
    this.sinceSampleS = 0;
    if (this.restarting(t)) return undefined;
    const o = this.options;
    const busy = (capacity: number, p: number) => Math.min(1000, (1000 * rate * (1 + o.busyNoise * (2 * this.random() - 1))) / (capacity * p));
    const committedLag = this.committedLag();
    const keyedBusy = busy(o.keyedCapacity, this.parallelism[KEYED]!);
    const sourceBusy = busy(o.sourceCapacity, this.parallelism[SOURCE]!);
    return {
      [SOURCE]: { at: t * 1000, recordsInPerSecond: rate, recordsOutPerSecond: rate, busyTimeMsPerSecond: sourceBusy, backPressuredTimeMsPerSecond: keyedBusy >= 990 ? 1000 - sourceBusy : 0, lag: committedLag, latestOffsets: Math.round(this.produced) },
      [KEYED]: { at: t * 1000, recordsInPerSecond: rate, recordsOutPerSecond: rate, busyTimeMsPerSecond: keyedBusy, backPressuredTimeMsPerSecond: 0 },
    };
  }

  /** Lag against the committed offsets, which trail what was read by up to a checkpoint interval. */
  committedLag(): number {
    return Math.round(this.lag + this.processedSinceCheckpoint);
  }

  rescale(t: number, parallelism: Record<string, number>): void {
    this.parallelism = { ...parallelism };
    this.restartUntil = t + this.options.restartS;
    // State restores from the last checkpoint: what was read since is read again.
    this.lag += this.processedSinceCheckpoint;
    this.processedSinceCheckpoint = 0;
  }

  /** Cores in use: with slot sharing a slot holds one subtask of each vertex. */
  cores(): number {
    return Math.max(this.parallelism[SOURCE]!, this.parallelism[KEYED]!);
  }
}
