/** Creates the operator instance for a stream node from its transformation's spec. */
import type { AnyProcessWindowFunction, PhysicalTransformation } from '../../api/transformation.ts';
import { CoFlatMapOperator, CoMapOperator, CoProcessOperator, KeyedCoProcessOperator } from './co-operators.ts';
import { KeyedProcessOperator, ProcessOperator, RollingReduceOperator } from './process-operators.ts';
import { FilterOperator, FlatMapOperator, MapOperator } from './simple-operators.ts';
import { SinkOperator } from './sink-operator.ts';
import { SourceOperator } from './source-operator.ts';
import type { StreamOperator } from './stream-operator.ts';
import { TimestampsAndWatermarksOperator } from './timestamps-and-watermarks-operator.ts';
import { WindowOperator } from './window/window-operator.ts';
import { SlicingWindowOperator } from './window/slicing-window-operator.ts';
import type { WindowSpec } from '../../api/transformation.ts';
import type { AggregateFunction } from '../../api/functions.ts';
import { SlidingEventTimeWindows } from '../../api/windows/assigners.ts';
import { EventTimeTrigger } from '../../api/windows/triggers.ts';

/**
 * Each subtask gets its own copy of a function object, as in Flink, where every subtask
 * deserializes its own instance: fields a function sets in open() (state handles,
 * counters) must not be shared between subtasks. The copy keeps the prototype and
 * shallow-copies the own fields; plain functions are used as they are, and so are objects
 * of classes with ES private (#) fields, which a copy would not carry.
 */
export function copyFunction<F>(fn: F): F {
  if (typeof fn !== 'object' || fn === null || hasPrivateFields(fn)) return fn;
  return Object.assign(Object.create(Object.getPrototypeOf(fn) as object) as object, fn) as F;
}

/** Whether a class on the object's prototype chain declares #private members (or their down-levelled helpers). */
function hasPrivateFields(obj: object): boolean {
  for (let p: unknown = Object.getPrototypeOf(obj); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const ctor = (p as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && /#[A-Za-z_$]|__private(Get|Set|Add|Method)/.test(Function.prototype.toString.call(ctor))) return true;
  }
  return false;
}

/**
 * Sliding event-time windows with an aggregate function, the default trigger and no
 * evictor are computed from slices (`weir.window.slicing`, on by default).
 */
function slicingApplies(s: WindowSpec, config: ReadonlyMap<string, string> | undefined): boolean {
  if (config?.get('weir.window.slicing') === 'false') return false;
  const a = s.assigner;
  return (
    a instanceof SlidingEventTimeWindows &&
    a.validate() === undefined &&
    a.size % a.slide === 0 &&
    s.trigger instanceof EventTimeTrigger &&
    s.evictor === undefined &&
    s.fn.kind === 'aggregate' &&
    mergesPlainData(s.fn.aggregate)
  );
}

/**
 * Flink's sliding windows never call merge, so a valid AggregateFunction may leave it
 * unimplemented; and merge may reuse either argument. Slicing therefore needs a merge that
 * works and an accumulator it can copy (plain data) before handing it to merge.
 */
function mergesPlainData(agg: AggregateFunction<unknown, unknown, unknown>): boolean {
  let acc: unknown;
  try {
    acc = agg.createAccumulator();
    agg.merge(agg.createAccumulator(), agg.createAccumulator());
  } catch {
    return false; // merge not supported: the general window operator applies
  }
  return isPlainData(acc);
}

export function isPlainData(v: unknown): boolean {
  if (typeof v === 'function' || typeof v === 'symbol') return false;
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v) || v instanceof Map || v instanceof Set) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Creates the operator for one subtask (call once per subtask). */
export function createOperator(t: PhysicalTransformation, config?: ReadonlyMap<string, string>): StreamOperator {
  if (t.type === 'source') return new SourceOperator(t.source, t.watermarkStrategy);
  if (t.type === 'twoInput') {
    const s = t.spec;
    switch (s.kind) {
      case 'coMap':
        return new CoMapOperator(copyFunction(s.fn));
      case 'coFlatMap':
        return new CoFlatMapOperator(copyFunction(s.fn));
      case 'coProcess':
        return new CoProcessOperator(copyFunction(s.fn));
      case 'keyedCoProcess':
        return new KeyedCoProcessOperator(copyFunction(s.fn));
    }
  }
  const s = t.spec;
  switch (s.kind) {
    case 'map':
      return new MapOperator(copyFunction(s.fn));
    case 'filter':
      return new FilterOperator(copyFunction(s.fn));
    case 'flatMap':
      return new FlatMapOperator(copyFunction(s.fn));
    case 'process':
      return new ProcessOperator(copyFunction(s.fn));
    case 'keyedProcess':
      return new KeyedProcessOperator(copyFunction(s.fn));
    case 'rollingReduce':
      return new RollingReduceOperator(s.reduce);
    case 'timestampsAndWatermarks':
      return new TimestampsAndWatermarksOperator(s.strategy);
    case 'window': {
      const spec = s.fn.process ? { ...s, fn: { ...s.fn, process: { ...s.fn.process, fn: copyFunction(s.fn.process.fn) } as AnyProcessWindowFunction } } : s;
      return slicingApplies(spec, config) ? new SlicingWindowOperator(spec) : new WindowOperator(spec);
    }
    case 'sink':
      return new SinkOperator(s.sink);
  }
}

export function keySelectorsOf(t: PhysicalTransformation) {
  if (t.type === 'oneInput') return [t.keySelector];
  if (t.type === 'twoInput') return [t.keySelector1, t.keySelector2];
  return [];
}

export function isKeyed(t: PhysicalTransformation): boolean {
  return keySelectorsOf(t).some((k) => k !== undefined);
}
