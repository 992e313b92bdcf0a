/**
 * The state backend the runtime suites run on. Each suite passes backendConfig() into its
 * jobs; test/runtime/rocksdb-backend.test.ts imports the suites again with
 * WEIR_TEST_STATE_BACKEND=rocksdb, so one suite covers both backends without a copy.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function backendConfig(): Record<string, string> {
  const type = process.env.WEIR_TEST_STATE_BACKEND;
  if (type === undefined || type === 'hashmap') return {};
  // A small cache, so that eviction and re-reads from RocksDB are exercised too.
  return { 'state.backend.type': type, 'state.backend.rocksdb.localdir': join(tmpdir(), 'weir-test-rocksdb'), 'state.backend.rocksdb.cache.max-keys': '2' };
}
