import type { Collector, OutputTag } from '../functions.ts';
import type { RichFunction } from '../functions.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import type { KeyedStateStore } from '../keyed-state-store.ts';
import type { Window } from './window.ts';

export interface ProcessWindowContext<W extends Window> {
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** State scoped to this key and this window; cleared when the window is purged. */
  windowState(): KeyedStateStore;
  /** State scoped to this key across all windows. */
  globalState(): KeyedStateStore;
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Sees all of a window's elements (or the aggregate result) when it fires. */
export abstract class ProcessWindowFunction<IN, OUT, K, W extends Window> implements RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract process(key: K, context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
  /** Called when the window is purged; clean up windowState here. */
  clear?(context: ProcessWindowContext<W>): void;
}

export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> implements RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract process(context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
  clear?(context: ProcessWindowContext<W>): void;
}
