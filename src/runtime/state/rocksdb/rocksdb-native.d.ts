/** The part of rocksdb-native (which ships no types) the RocksDB backend uses. */
declare module 'rocksdb-native' {
  interface ReadBatch {
    get(key: Buffer): Promise<Buffer | null>;
    tryFlush(): void;
  }
  interface WriteBatch {
    tryPut(key: Buffer, value: Buffer): void;
    tryDelete(key: Buffer): void;
    tryDeleteRange(start: Buffer, end: Buffer): void;
    flush(): Promise<void>;
  }
  interface Range {
    gte?: Buffer;
    lt?: Buffer;
  }
  interface BatchOptions {
    capacity?: number;
    autoDestroy?: boolean;
  }
  class ColumnFamily {
    constructor(name: string, opts?: { writeBufferSize?: number; maxWriteBufferNumber?: number; blockCache?: boolean });
  }
  class RocksDB {
    static ColumnFamily: typeof ColumnFamily;
    constructor(path: string, opts?: { columnFamily?: ColumnFamily; maxBackgroundJobs?: number; maxOpenFiles?: number });
    ready(): Promise<void>;
    close(): Promise<void>;
    read(opts?: BatchOptions): ReadBatch;
    write(opts?: BatchOptions): WriteBatch;
    snapshot(): RocksDB;
    iterator(range: Range & { capacity?: number; limit?: number }): AsyncIterable<{ key: Buffer; value: Buffer }>;
    getProperty(name: string): Promise<string | null>;
  }
  export default RocksDB;
}
