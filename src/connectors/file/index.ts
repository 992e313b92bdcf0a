export { FileSink } from './file-sink.ts';
export type { FileSinkOptions } from './file-sink.ts';
