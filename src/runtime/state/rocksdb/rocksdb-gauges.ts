/**
 * The RocksDB backend's gauges, named as Flink's Prometheus reporter names them
 * (rocksdb_estimate_num_keys, ...). A gauge answers the value read at the previous scrape
 * and queues the next read (RocksDB properties are read in the store's queue, never
 * synchronously); NaN until the first read lands.
 */
import type { RocksDbMetric } from './rocksdb-options.ts';

export interface GaugeSource {
  /** Reads a RocksDB property; undefined when the database is not open (not yet, or closing). */
  property(name: string): Promise<number | undefined> | undefined;
  /** A read failed: the store keeps the failure and fails the task's next prefetch with it. */
  failed(err: unknown): void;
}

export function rocksDbGauges(metrics: readonly RocksDbMetric[], source: GaugeSource): Map<string, () => number> {
  const out = new Map<string, () => number>();
  for (const name of metrics) {
    let value = NaN;
    let reading = false;
    out.set(`rocksdb_${name.replaceAll('-', '_')}`, () => {
      if (reading) return value;
      const read = source.property(`rocksdb.${name}`);
      if (read === undefined) return value;
      reading = true;
      read.then(
        (v) => {
          value = v ?? NaN;
          reading = false;
        },
        (err: unknown) => source.failed(err),
      );
      return value;
    });
  }
  return out;
}
