/**
 * A source reader's metric group: gauges registered before the task's metrics are bound
 * (the reader may be created first) wait and are registered on binding; unbinding removes
 * them all. Without metrics (a run without a registry) nothing is registered.
 */
import type { SourceMetricGroup } from '../../api/source.ts';

export type GaugeRegistrar = (name: string, labels: Readonly<Record<string, string>>, read: () => number) => () => void;

interface Entry {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly read: () => number;
  remove: (() => void) | undefined;
}

export class DeferredMetricGroup implements SourceMetricGroup {
  private registrar: GaugeRegistrar | undefined;
  private readonly entries = new Set<Entry>();

  gauge(name: string, labels: Readonly<Record<string, string>>, read: () => number): () => void {
    const e: Entry = { name, labels, read, remove: this.registrar?.(name, labels, read) };
    this.entries.add(e);
    return () => {
      this.entries.delete(e);
      e.remove?.();
    };
  }

  bind(registrar: GaugeRegistrar): void {
    this.registrar = registrar;
    for (const e of this.entries) e.remove ??= registrar(e.name, e.labels, e.read);
  }

  unbind(): void {
    this.registrar = undefined;
    for (const e of this.entries) {
      e.remove?.();
      e.remove = undefined;
    }
  }
}
