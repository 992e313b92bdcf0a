import type { Sink, SinkWriter, SinkWriterContext } from '../source.ts';

/** Renders a record the way print shows it: strings as they are, everything else as JSON. */
export function formatRecord(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? Object.fromEntries(v) : v));
}

export class PrintSink<T> implements Sink<T> {
  constructor(
    private readonly prefix?: string,
    private readonly out: { write(chunk: string): unknown } = process.stdout,
  ) {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const label = ctx.parallelism > 1 ? `${ctx.subtaskIndex + 1}> ` : '';
    const head = this.prefix ? (label ? `${this.prefix}:${label}` : `${this.prefix}> `) : label;
    const out = this.out;
    return {
      write(values: readonly T[]): void {
        let text = '';
        for (let i = 0; i < values.length; i++) text += `${head}${formatRecord(values[i])}\n`;
        out.write(text);
      },
    };
  }
}
