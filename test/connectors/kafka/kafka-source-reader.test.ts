/**
 * The KafkaSource reader on its own, against the test broker: a checkpoint taken before the
 * reader started restores to the starting offsets (not the earliest), and the checkpointed
 * offsets are the next records to read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReaderOutput, SourceOutput, SourceReader, SourceReaderContext } from '../../../src/api/index.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaSource, OffsetsInitializers } from '../../../src/connectors/kafka/index.ts';
import { startKafka } from '../../support/kafka/index.ts';
import { eventually } from '../../support/eventually.ts';
import { cleanups, produce } from './kafka-helpers.ts';

function context(restoredState: readonly unknown[], isRestored: boolean): SourceReaderContext {
  return { subtaskIndex: 0, parallelism: 1, currentProcessingTime: () => Date.now(), jobParameters: {}, restoredState, isRestored, metricGroup: { gauge: () => () => undefined } };
}

class Collected implements ReaderOutput<string> {
  readonly values: string[] = [];
  collect(v: string): void {
    this.values.push(v);
  }
  collectWithTimestamp(v: string): void {
    this.values.push(v);
  }
  createOutputForSplit(): SourceOutput<string> {
    return this;
  }
  releaseOutputForSplit(): void {}
  collectSide(): void {}
}

/** Polls until `n` values arrived (or, with n = 0, until the reader has started and fetched once). */
async function pollUntil(reader: SourceReader<string>, out: Collected, n: number): Promise<void> {
  await eventually(async () => {
    const r = reader.pollNext(out, 100);
    if (r instanceof Promise) await r;
    return out.values.length >= n && (n > 0 || r === 'more' || typeof r === 'number' || r instanceof Promise) ? true : undefined;
  }, 30_000, `${n} values`, () => out.values);
}

test('a checkpoint before the reader started restores to the starting offsets; a later one to the offsets read', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({ topics: { in: 1 } });
  defer(() => kafka.stop());
  await produce(kafka.brokers, 'in', [{ value: 'old-1' }, { value: 'old-2' }]);
  const source = KafkaSource.builder().setBootstrapServers(kafka.brokers).setTopics('in').setStartingOffsets(OffsetsInitializers.latest()).setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string)).build();

  const unstarted = source.createReader(context([], false));
  defer(() => unstarted.close?.());
  const early = unstarted.snapshotState!(1);
  assert.deepEqual(early, [['', -1, -1, -1]]);

  // Restored from that checkpoint: 'latest' still applies, so the old records are not read.
  const reader = source.createReader(context(early, true));
  defer(() => reader.close?.());
  const out = new Collected();
  await pollUntil(reader, out, 0);
  await produce(kafka.brokers, 'in', [{ value: 'new-1' }, { value: 'new-2' }]);
  await pollUntil(reader, out, 2);
  assert.deepEqual(out.values, ['new-1', 'new-2']);
  assert.deepEqual(reader.snapshotState!(2), [['in', 0, 4, -1]]);

  // Restored from the later checkpoint: on from offset 4.
  await produce(kafka.brokers, 'in', [{ value: 'after' }]);
  const again = source.createReader(context([['in', 0, 4, -1]], true));
  defer(() => again.close?.());
  const out2 = new Collected();
  await pollUntil(again, out2, 1);
  assert.deepEqual(out2.values, ['after']);
});
