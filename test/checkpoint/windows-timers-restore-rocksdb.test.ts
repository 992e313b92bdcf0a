/**
 * Event time across a savepoint (windows-timers-restore.test.ts) again, every run on the
 * RocksDB backend with a cache of two keys. The suite takes its backend from backendConfig().
 */
process.env.WEIR_TEST_STATE_BACKEND = 'rocksdb';

await import('./windows-timers-restore.test.ts');
