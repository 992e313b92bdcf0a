/**
 * Writes records as lines of text, one file per subtask: `<dir>/part-<subtask>.txt`.
 * Writes are asynchronous and awaited before the task's next step, so a slow disk
 * backpressures the job instead of buffering without bound. With `exactlyOnce`, files
 * become visible only when the checkpoint covering them completes (exactly-once-file-sink.ts).
 */
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sink, SinkWriter, SinkWriterContext } from '../../api/source.ts';
import { formatRecord } from '../../api/sinks/print-sink.ts';
import { ExactlyOnceFileSink } from './exactly-once-file-sink.ts';
import { S3ExactlyOnceFileSink } from './s3-exactly-once-file-sink.ts';

export interface FileSinkOptions<T> {
  /** Renders a record as one line; default: strings as they are, other values as JSON. */
  format?: (value: T) => string;
  /**
   * Exactly-once with checkpoints: a file per subtask and checkpoint interval,
   * `part-<subtask>-<writer>-<n>.txt`, visible once its checkpoint completed. The only mode
   * for an `s3://bucket/prefix` directory (reached with the job's `s3.*` configuration).
   */
  exactlyOnce?: boolean;
}

export class FileSink<T> implements Sink<T> {
  constructor(
    private readonly directory: string,
    private readonly options: FileSinkOptions<T> = {},
  ) {
    if (typeof directory !== 'string' || directory.length === 0) throw new TypeError('FileSink needs an output directory');
    if (/^s3:\/\//i.test(directory) && !options.exactlyOnce) throw new TypeError(`FileSink writes to ${directory} only with exactlyOnce: true (S3 has no appendable files)`);
  }

  private transactional: Sink<T> | undefined;

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    if (this.options.exactlyOnce) {
      const format = this.options.format ?? formatRecord;
      this.transactional ??= /^s3:\/\//i.test(this.directory) ? new S3ExactlyOnceFileSink<T>(this.directory, format) : new ExactlyOnceFileSink<T>(this.directory, format);
      return this.transactional.createWriter(ctx);
    }
    const path = join(this.directory, `part-${ctx.subtaskIndex}.txt`);
    const format = this.options.format ?? formatRecord;
    let file: Promise<FileHandle> | undefined;
    const handle = () =>
      (file ??= mkdir(this.directory, { recursive: true }).then(() => open(path, 'w')));
    return {
      async write(values: readonly T[]): Promise<void> {
        let text = '';
        for (const v of values) text += `${format(v)}\n`;
        await (await handle()).write(text);
      },
      async close(): Promise<void> {
        await (await handle()).close();
      },
    };
  }
}
