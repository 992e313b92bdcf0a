// Runs a level-triggered reconcile pass after store changes, coalescing bursts of events
// into one pass, like a controller's work queue. Passes see the whole (small) store.
import { ApiError } from '../errors.ts';
import type { Store } from '../store/store.ts';

export function reportControllerError(name: string, err: unknown): void {
  // NotFound and Conflict are ordinary races for a controller: the next pass sees the new state.
  if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
  process.stderr.write(`kube controller ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

export function runOnChanges(store: Store, name: string, keys: string[] | undefined, pass: () => void): () => void {
  let scheduled = false;
  let stopped = false;
  const run = (): void => {
    scheduled = false;
    if (stopped) return;
    try {
      pass();
    } catch (err) {
      reportControllerError(name, err);
    }
  };
  const unsubscribe = store.subscribe((e) => {
    if (scheduled || (keys && !keys.includes(e.key))) return;
    scheduled = true;
    setImmediate(run);
  });
  setImmediate(run);
  return () => {
    stopped = true;
    unsubscribe();
  };
}
