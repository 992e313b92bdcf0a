/** Outputs inside a task: to the next chained operator, and fan-out over several outputs and side outputs. */
import { BatchBuilder } from '../stream-element.ts';
import type { RecordBatch } from '../stream-element.ts';
import type { Output } from './output.ts';
import type { StreamOperator } from './stream-operator.ts';

export class ChainedOutput implements Output {
  private readonly builder = new BatchBuilder();

  constructor(
    private readonly next: StreamOperator,
    private readonly batchSize: number,
  ) {}

  collect(value: unknown, timestamp: number): void {
    this.builder.add(value, timestamp);
    if (this.builder.length >= this.batchSize) this.flush();
  }

  emitBatch(batch: RecordBatch): void {
    this.flush();
    if (batch.length > 0) this.next.handleBatch(batch, 0);
  }

  /**
   * Reached only when this is an operator's sole output, i.e. no side output of the
   * operator is consumed: such records are dropped (see Output.collectSide).
   */
  collectSide(): void {}

  flush(): void {
    if (this.builder.length > 0) this.next.handleBatch(this.builder.take(), 0);
  }

  emitWatermark(timestamp: number): void {
    this.flush();
    this.next.handleWatermark(timestamp, 0);
  }

  emitWatermarkStatus(idle: boolean): void {
    this.flush();
    this.next.handleWatermarkStatus(idle, 0);
  }

  /** The task ends chained operators itself, in chain order. */
  endInput(): void {}
}

/** An operator's output: its main outputs plus side outputs by tag. */
export class OperatorOutput implements Output {
  constructor(
    private readonly main: Output[],
    private readonly sides: ReadonlyMap<string, Output[]>,
  ) {}

  collect(value: unknown, timestamp: number): void {
    const m = this.main;
    for (let i = 0; i < m.length; i++) m[i]!.collect(value, timestamp);
  }

  emitBatch(batch: RecordBatch): void {
    const m = this.main;
    for (let i = 0; i < m.length; i++) m[i]!.emitBatch(batch);
  }

  collectSide(tagId: string, value: unknown, timestamp: number): void {
    const outs = this.sides.get(tagId);
    if (outs) for (const o of outs) o.collect(value, timestamp);
  }

  private all(f: (o: Output) => void): void {
    for (const o of this.main) f(o);
    for (const outs of this.sides.values()) for (const o of outs) f(o);
  }

  flush(): void {
    this.all((o) => o.flush());
  }

  emitWatermark(timestamp: number): void {
    this.all((o) => o.emitWatermark(timestamp));
  }

  emitWatermarkStatus(idle: boolean): void {
    this.all((o) => o.emitWatermarkStatus(idle));
  }

  endInput(): void {
    this.all((o) => o.endInput());
  }
}
