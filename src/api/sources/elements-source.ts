import type { Source, SourceOutput, SourcePoll, SourceReader } from '../source.ts';

/** The source behind fromElements/fromCollection: bounded, parallelism 1, in order. */
export class ElementsSource<T> implements Source<T> {
  readonly boundedness = 'BOUNDED';
  readonly maxParallelism = 1;

  constructor(private readonly values: readonly T[]) {}

  createReader(): SourceReader<T> {
    const values = this.values;
    let next = 0;
    return {
      pollNext(output: SourceOutput<T>, maxRecords: number): SourcePoll {
        const end = Math.min(values.length, next + maxRecords);
        for (; next < end; next++) output.collect(values[next] as T);
        return next >= values.length ? 'end' : 'more';
      },
    };
  }
}
