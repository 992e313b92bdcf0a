import type { Source, SourceOutput, SourcePoll, SourceReader, SourceReaderContext } from '../source.ts';

/** The source behind fromElements/fromCollection: bounded, parallelism 1, in order. */
export class ElementsSource<T> implements Source<T> {
  readonly boundedness = 'BOUNDED';
  readonly maxParallelism = 1;

  constructor(private readonly values: readonly T[]) {}

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    const values = this.values;
    // The position is the index of the next element.
    let next = (ctx.restoredState[0] as number | undefined) ?? 0;
    return {
      pollNext(output: SourceOutput<T>, maxRecords: number): SourcePoll {
        const end = Math.min(values.length, next + maxRecords);
        for (; next < end; next++) output.collect(values[next] as T);
        return next >= values.length ? 'end' : 'more';
      },
      snapshotState: () => [next],
    };
  }
}
