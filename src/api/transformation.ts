/**
 * The logical plan job authors build: a DAG of transformations, each with the data and
 * user functions the runtime needs to create its operator. Plain objects; the runtime
 * turns them into a StreamGraph and a JobGraph.
 */
import type {
  AggregateFunction,
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  FilterFunction,
  FlatMapFunction,
  KeyedCoProcessFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  OutputTag,
  ProcessFunction,
  ReduceFunction,
} from './functions.ts';
import type { Sink, Source } from './source.ts';
import type { WatermarkStrategy } from './watermarks.ts';
import type { WindowAssigner } from './windows/assigners.ts';
import type { Evictor } from './windows/evictors.ts';
import type { Trigger } from './windows/triggers.ts';
import type { Window } from './windows/window.ts';
import type { ProcessAllWindowFunction, ProcessWindowFunction } from './windows/window-functions.ts';

export type PartitionerKind = 'forward' | 'rebalance' | 'rescale' | 'hash' | 'broadcast';

export type AnyKeySelector = KeySelector<unknown, unknown>;

export type WindowFunctionSpec =
  | { kind: 'reduce'; reduce: ReduceFunction<unknown>; process?: AnyProcessWindowFunction }
  | { kind: 'aggregate'; aggregate: AggregateFunction<unknown, unknown, unknown>; process?: AnyProcessWindowFunction }
  | { kind: 'process'; process: AnyProcessWindowFunction };

export type AnyProcessWindowFunction =
  | { keyed: true; fn: ProcessWindowFunction<unknown, unknown, unknown, Window> }
  | { keyed: false; fn: ProcessAllWindowFunction<unknown, unknown, Window> };

export interface WindowSpec {
  kind: 'window';
  assigner: WindowAssigner<unknown, Window>;
  trigger: Trigger<unknown, Window>;
  evictor: Evictor<unknown, Window> | undefined;
  allowedLatenessMs: number;
  lateDataTag: OutputTag<unknown> | undefined;
  fn: WindowFunctionSpec;
}

export type OneInputSpec =
  | { kind: 'map'; fn: MapFunction<unknown, unknown> }
  | { kind: 'flatMap'; fn: FlatMapFunction<unknown, unknown> }
  | { kind: 'filter'; fn: FilterFunction<unknown> }
  | { kind: 'process'; fn: ProcessFunction<unknown, unknown> }
  | { kind: 'keyedProcess'; fn: KeyedProcessFunction<unknown, unknown, unknown> }
  | { kind: 'timestampsAndWatermarks'; strategy: WatermarkStrategy<unknown> }
  | { kind: 'rollingReduce'; reduce: ReduceFunction<unknown> }
  | WindowSpec
  | { kind: 'sink'; sink: Sink<unknown> };

export type TwoInputSpec =
  | { kind: 'coMap'; fn: CoMapFunction<unknown, unknown, unknown> }
  | { kind: 'coFlatMap'; fn: CoFlatMapFunction<unknown, unknown, unknown> }
  | { kind: 'coProcess'; fn: CoProcessFunction<unknown, unknown, unknown> }
  | { kind: 'keyedCoProcess'; fn: KeyedCoProcessFunction<unknown, unknown, unknown, unknown> };

interface TransformationBase {
  /** Creation order within the job; deterministic because the job's main is. */
  readonly index: number;
  name: string;
  uid: string | undefined;
  /** undefined: the environment's default. */
  parallelism: number | undefined;
  maxParallelism: number | undefined;
  chainingDisabled: boolean;
}

export interface SourceTransformation extends TransformationBase {
  readonly type: 'source';
  readonly source: Source<unknown>;
  /** Timestamps and watermarks generated inside the source subtask (per split); undefined: none. */
  readonly watermarkStrategy: WatermarkStrategy<unknown> | undefined;
}

export interface OneInputTransformation extends TransformationBase {
  readonly type: 'oneInput';
  readonly input: Transformation;
  readonly spec: OneInputSpec;
  /** Set when the operator runs on a keyed stream: its state and timers are per key. */
  readonly keySelector: AnyKeySelector | undefined;
}

export interface TwoInputTransformation extends TransformationBase {
  readonly type: 'twoInput';
  readonly input1: Transformation;
  readonly input2: Transformation;
  readonly spec: TwoInputSpec;
  readonly keySelector1: AnyKeySelector | undefined;
  readonly keySelector2: AnyKeySelector | undefined;
}

/** Virtual: changes how records reach the next operator. */
export interface PartitionTransformation extends TransformationBase {
  readonly type: 'partition';
  readonly input: Transformation;
  readonly partitioner: PartitionerKind;
  readonly keySelector: AnyKeySelector | undefined;
}

/** Virtual: several streams read as one. */
export interface UnionTransformation extends TransformationBase {
  readonly type: 'union';
  readonly inputs: readonly Transformation[];
}

/** Virtual: the records an operator sent to a side output. */
export interface SideOutputTransformation extends TransformationBase {
  readonly type: 'sideOutput';
  readonly input: Transformation;
  readonly tag: OutputTag<unknown>;
}

export type Transformation =
  | SourceTransformation
  | OneInputTransformation
  | TwoInputTransformation
  | PartitionTransformation
  | UnionTransformation
  | SideOutputTransformation;

export type PhysicalTransformation = SourceTransformation | OneInputTransformation | TwoInputTransformation;

export function isPhysical(t: Transformation): t is PhysicalTransformation {
  return t.type === 'source' || t.type === 'oneInput' || t.type === 'twoInput';
}
