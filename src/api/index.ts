/** The public DataStream API: what job authors import. */
export * from './environment.ts';
export * from './datastream.ts';
export * from './keyed-stream.ts';
export * from './connected-streams.ts';
export * from './windowed-stream.ts';
export * from './functions.ts';
export * from './runtime-context.ts';
export * from './keyed-state-store.ts';
export * from './state.ts';
export * from './state-ttl.ts';
export * from './watermarks.ts';
export * from './source.ts';
export * from './windows/index.ts';
export type { FieldRef } from './aggregations.ts';
export { PrintSink, formatRecord } from './sinks/print-sink.ts';
export { CollectSink } from './sinks/collect-sink.ts';
export type { Transformation } from './transformation.ts';
