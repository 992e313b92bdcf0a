/**
 * The keyed-state, rolling-aggregation, connect, timer, window and session-window suites again, on the RocksDB backend
 * with a cache of two keys (so nearly every access is evicted and read back from RocksDB).
 * The suites take their backend from backendConfig() (test/support/state-backend.ts).
 */
process.env.WEIR_TEST_STATE_BACKEND = 'rocksdb';

await import('./keyed-state.test.ts');
await import('./rolling-aggregations.test.ts');
await import('./union-connect.test.ts');
await import('./timers.test.ts');
await import('./window-slicing.test.ts');
await import('./windows/assigners.test.ts');
await import('./windows/evictors.test.ts');
await import('./windows/functions.test.ts');
await import('./windows/lateness.test.ts');
await import('./windows/parallelism.test.ts');
await import('./windows/sessions.test.ts');
await import('./windows/triggers.test.ts');
await import('./windows/validation.test.ts');
