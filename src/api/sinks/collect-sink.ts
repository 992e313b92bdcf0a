import type { Sink, SinkWriter, SinkWriterContext } from '../source.ts';

/** Hands every record to the job result under a name; results of all subtasks are concatenated. */
export class CollectSink<T> implements Sink<T> {
  constructor(readonly name: string) {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const name = this.name;
    return {
      write(values: readonly T[]): void {
        ctx.addToResult(name, values);
      },
    };
  }
}
