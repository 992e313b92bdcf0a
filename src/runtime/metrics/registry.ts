/**
 * The metric registry: every metric is a function read on scrape. Each metric name is one
 * prom-client Gauge whose collect callback reads the registered functions, so the hot path
 * only increments plain number fields and prom-client is touched once per scrape, not per
 * record. Flink's Prometheus reporter exports counters and meters as gauges too.
 */
import { Gauge, Registry } from 'prom-client';
import { WeirError } from '../../errors/index.ts';
import { metricHelp, metricName } from './scope.ts';
import type { Labels, MetricScope } from './scope.ts';

interface Cell {
  readonly labels: Labels;
  readonly read: () => number;
}

interface Family {
  readonly labelNames: readonly string[];
  readonly cells: Set<Cell>;
}

export interface MetricRegistryOptions {
  /**
   * Replace characters outside [a-zA-Z0-9_] in label values with '_' (default true), as
   * Flink's `metrics.reporter.prom.filterLabelValueCharacters`.
   */
  filterLabelValueCharacters?: boolean;
}

export class MetricRegistry {
  /** The prom-client registry, e.g. to merge with a process's own metrics. */
  readonly prometheus = new Registry();
  readonly filterLabelValues: boolean;
  private readonly families = new Map<string, Family>();

  constructor(options: MetricRegistryOptions = {}) {
    this.filterLabelValues = options.filterLabelValueCharacters ?? true;
  }

  /**
   * Registers one time series, `flink_<scope>_<name>{labels}`, whose value is `read()` at
   * each scrape. Returns the function that removes it.
   */
  gauge(scope: MetricScope, name: string, labels: Labels, read: () => number): () => void {
    const full = metricName(scope, name);
    const labelNames = Object.keys(labels);
    let family = this.families.get(full);
    if (!family) {
      family = this.createFamily(scope, name, labelNames);
    } else if (family.labelNames.join(',') !== labelNames.join(',')) {
      throw new WeirError('METRIC_LABELS_MISMATCH', `metric ${full} has labels (${family.labelNames.join(', ')}); cannot register it with (${labelNames.join(', ')})`, false);
    }
    const cell: Cell = { labels, read };
    const f = family;
    f.cells.add(cell);
    return () => {
      if (!f.cells.delete(cell) || f.cells.size > 0) return;
      // The last series of a name is gone: drop the name too, as Flink's reporter does.
      this.families.delete(full);
      this.prometheus.removeSingleMetric(full);
    };
  }

  private createFamily(scope: MetricScope, name: string, labelNames: readonly string[]): Family {
    const cells = new Set<Cell>();
    new Gauge({
      name: metricName(scope, name),
      help: metricHelp(scope, name),
      labelNames,
      registers: [this.prometheus],
      collect(this: Gauge) {
        this.reset();
        for (const c of cells) this.set(c.labels, c.read());
      },
    });
    const family = { labelNames, cells };
    this.families.set(metricName(scope, name), family);
    return family;
  }

  /** Names registered now (full Prometheus names). */
  names(): string[] {
    return [...this.families.keys()];
  }

  /** The Prometheus text exposition of every registered metric. */
  metrics(): Promise<string> {
    return this.prometheus.metrics();
  }

  get contentType(): string {
    return this.prometheus.contentType;
  }
}
