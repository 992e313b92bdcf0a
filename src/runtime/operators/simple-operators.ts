/** Stateless one-input operators: map, filter, flatMap. Each runs a tight loop over the batch. */
import type { Collector, FilterFunction, FlatMapFunction, MapFunction } from '../../api/functions.ts';
import { RecordBatch } from '../stream-element.ts';
import { StreamingRuntimeContext } from './streaming-runtime-context.ts';
import { StreamOperator, closeFunction, openFunction } from './stream-operator.ts';

function method<F>(fn: unknown, name: string): F {
  if (typeof fn === 'function') return fn as F;
  const m = (fn as Record<string, unknown> | null)?.[name];
  if (typeof m !== 'function') throw new TypeError(`expected a function or an object with a ${name}() method`);
  return m.bind(fn) as F;
}

abstract class FunctionOperator extends StreamOperator {
  constructor(protected readonly userFunction: unknown) {
    super();
  }
  override async open(): Promise<void> {
    await openFunction(this.userFunction, new StreamingRuntimeContext(this.setup));
  }
  override async close(): Promise<void> {
    await closeFunction(this.userFunction);
  }
}

export class MapOperator extends FunctionOperator {
  private readonly fn: (v: unknown) => unknown;
  constructor(fn: MapFunction<unknown, unknown>) {
    super(fn);
    this.fn = method(fn, 'map');
  }
  /** One output per input: a new values array, the same timestamps array. */
  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    const fn = this.fn;
    const mapped = new Array<unknown>(values.length);
    for (let i = 0; i < values.length; i++) mapped[i] = fn(values[i]);
    this.output.emitBatch(new RecordBatch(mapped, timestamps));
  }
}

export class FilterOperator extends FunctionOperator {
  private readonly fn: (v: unknown) => boolean;
  constructor(fn: FilterFunction<unknown>) {
    super(fn);
    this.fn = method(fn, 'filter');
  }
  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    const fn = this.fn;
    const out = this.output;
    for (let i = 0; i < values.length; i++) if (fn(values[i])) out.collect(values[i], timestamps[i]!);
  }
}

/** A collector that stamps each emitted record with a timestamp set beforehand. */
export class TimestampedCollector implements Collector<unknown> {
  timestamp = NaN;
  constructor(private readonly operator: StreamOperator) {}
  collect(value: unknown): void {
    this.operator.output.collect(value, this.timestamp);
  }
}

export class FlatMapOperator extends FunctionOperator {
  private readonly fn: (v: unknown, out: Collector<unknown>) => void;
  private readonly collector = new TimestampedCollector(this);
  constructor(fn: FlatMapFunction<unknown, unknown>) {
    super(fn);
    this.fn = method(fn, 'flatMap');
  }
  processBatch(batch: RecordBatch): void {
    const { values, timestamps } = batch;
    const c = this.collector;
    for (let i = 0; i < values.length; i++) {
      c.timestamp = timestamps[i]!;
      this.fn(values[i], c);
    }
  }
}

export { method as userMethod };
