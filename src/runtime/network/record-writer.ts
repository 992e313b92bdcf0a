/**
 * The network end of an operator chain for one outgoing edge: partitions records into
 * per-channel batches and pushes them, with watermarks and end-of-partition in order.
 */
import type { KeySelector } from '../../api/functions.ts';
import type { PartitionerKind } from '../../api/transformation.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';
import { checkKey, keyGroupFor, subtaskForKeyGroup } from '../state/key-group.ts';
import { ACTIVE, BatchBuilder, END_OF_PARTITION, IDLE, watermark } from '../stream-element.ts';
import type { CheckpointBarrier, RecordBatch } from '../stream-element.ts';
import type { Output } from '../operators/output.ts';
import type { OutputChannel } from './local-channel.ts';

export interface RecordWriterOptions {
  partitioner: PartitionerKind;
  /** Channel i leads to downstream subtask targets[i]. */
  channels: OutputChannel[];
  targets: number[];
  downstreamParallelism: number;
  downstreamMaxParallelism: number;
  keySelector: KeySelector<unknown, unknown> | undefined;
  /** Names the consumer in errors, e.g. `keyBy feeding "Window(...)"`. */
  consumerName: string;
  batchSize: number;
  startChannel: number;
}

export class RecordWriter implements Output {
  private readonly builders: BatchBuilder[];
  private next: number;
  recordsOut = 0;

  constructor(private readonly o: RecordWriterOptions) {
    const n = o.partitioner === 'broadcast' ? 1 : o.channels.length;
    this.builders = Array.from({ length: n }, () => new BatchBuilder());
    this.next = o.startChannel % o.channels.length;
  }

  hasCapacity(): boolean {
    for (const c of this.o.channels) if (!c.hasCapacity()) return false;
    return true;
  }

  private channelFor(value: unknown): number {
    const o = this.o;
    switch (o.partitioner) {
      case 'hash': {
        let key: unknown;
        try {
          key = o.keySelector!(value);
          checkKey(key);
        } catch (err) {
          throw new WeirError(
            err instanceof WeirError ? err.code : 'USER_FUNCTION_FAILED',
            `the key selector of the keyBy feeding "${o.consumerName}" failed: ${errorMessage(err)}`,
            err instanceof WeirError ? err.retriable : true,
            { cause: err },
          );
        }
        const subtask = subtaskForKeyGroup(keyGroupFor(key, o.downstreamMaxParallelism), o.downstreamParallelism, o.downstreamMaxParallelism);
        return o.targets.length === o.downstreamParallelism ? subtask : o.targets.indexOf(subtask);
      }
      case 'rebalance':
      case 'rescale': {
        const c = this.next;
        this.next = c + 1 === o.channels.length ? 0 : c + 1;
        return c;
      }
      default:
        return 0;
    }
  }

  collect(value: unknown, timestamp: number): void {
    this.recordsOut++;
    const b = this.builders[this.builders.length === 1 ? 0 : this.channelFor(value)]!;
    b.add(value, timestamp);
    if (b.length >= this.o.batchSize) this.flush();
  }

  /**
   * Reached only when this is an operator's sole output, i.e. no side output of the
   * operator is consumed: such records are dropped (see Output.collectSide).
   */
  emitBatch(batch: RecordBatch): void {
    const { partitioner, channels } = this.o;
    if (partitioner === 'broadcast' || channels.length === 1) {
      // One destination (or all of them): the batch travels as it is.
      this.flush();
      this.recordsOut += batch.length;
      for (const c of channels) c.push(batch);
      return;
    }
    const { values, timestamps } = batch;
    for (let i = 0; i < values.length; i++) this.collect(values[i], timestamps[i]!);
  }

  collectSide(): void {}

  flush(): void {
    const { channels } = this.o;
    if (this.o.partitioner === 'broadcast') {
      const b = this.builders[0]!;
      if (b.length === 0) return;
      const batch = b.take();
      for (const c of channels) c.push(batch);
      return;
    }
    for (let i = 0; i < this.builders.length; i++) {
      const b = this.builders[i]!;
      if (b.length > 0) channels[i]!.push(b.take());
    }
  }

  emitWatermark(timestamp: number): void {
    this.flush();
    const e = watermark(timestamp);
    for (const c of this.o.channels) c.push(e);
  }

  /** Sends a checkpoint barrier on every channel, after the records collected before it. */
  emitBarrier(barrier: CheckpointBarrier): void {
    this.flush();
    for (const c of this.o.channels) c.push(barrier);
  }

  emitWatermarkStatus(idle: boolean): void {
    this.flush();
    for (const c of this.o.channels) c.push(idle ? IDLE : ACTIVE);
  }

  endInput(): void {
    this.flush();
    for (const c of this.o.channels) c.push(END_OF_PARTITION);
  }
}
