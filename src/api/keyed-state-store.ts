import type { RuntimeContext } from './runtime-context.ts';

/** The state getters of a RuntimeContext, on their own (for window and trigger scopes). */
export type KeyedStateStore = Pick<RuntimeContext, 'getState' | 'getListState' | 'getMapState' | 'getReducingState' | 'getAggregatingState'>;
