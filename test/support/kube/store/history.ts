// The window of past changes a watch can resume from. Anything at or below `compactedThrough`
// is gone, and a watch starting there gets 410 Expired, as after an etcd compaction.
import type { StoreEvent } from './store.ts';

export class History {
  private events: StoreEvent[] = [];
  /** Highest resourceVersion whose following changes are no longer all retained. */
  compactedThrough = 0;

  constructor(private limit: number) {}

  setLimit(limit: number): void {
    this.limit = limit;
    this.trim();
  }

  append(event: StoreEvent): void {
    this.events.push(event);
    this.trim();
  }

  /** Forgets every change so far, as `etcdctl compact <current>` would. */
  compact(currentRv: number): void {
    this.events = [];
    this.compactedThrough = currentRv;
  }

  /** Changes after `rv` for one resource, or undefined when some are no longer retained. */
  since(rv: number, key: string): StoreEvent[] | undefined {
    if (rv < this.compactedThrough) return undefined;
    return this.events.filter((e) => e.rv > rv && e.key === key);
  }

  private trim(): void {
    if (this.events.length <= this.limit) return;
    const dropped = this.events.splice(0, this.events.length - this.limit);
    this.compactedThrough = Math.max(this.compactedThrough, dropped[dropped.length - 1]!.rv);
  }
}
