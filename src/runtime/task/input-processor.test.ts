import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalChannel } from '../network/local-channel.ts';
import { END_OF_PARTITION, RecordBatch, watermark } from '../stream-element.ts';
import type { CheckpointBarrier } from '../stream-element.ts';
import { InputProcessor } from './input-processor.ts';
import type { InputHead, InputHost } from './input-processor.ts';

const barrier = (checkpointId: number): CheckpointBarrier => ({ kind: 'barrier', checkpointId, timestamp: 0, mode: 'EXACTLY_ONCE', savepoint: false });
const batch = (...values: string[]): RecordBatch => new RecordBatch(values, values.map(() => NaN));

/**
 * An input processor over one channel per entry of `inputs` (the input each feeds), whose
 * head operator and task write what reaches them into `log`; `prefetch` waits on `wait` when set.
 */
function processorOn(log: string[], inputs: number[], wait?: Promise<void>): { input: InputProcessor; channels: LocalChannel[] } {
  const head: InputHead = {
    prefetch: () => wait,
    handleBatch: (b, input) => log.push(`batch ${b.values.join(',')}@${input}`),
    prefetchEventTimers: () => undefined,
    handleWatermark: (wm, input) => log.push(`watermark ${wm}@${input}`),
    handleWatermarkStatus: (idle, input) => log.push(`idle ${idle}@${input}`),
    handleEndInput: (input) => log.push(`end ${input}`),
  };
  const host: InputHost = {
    isDone: () => false,
    writersHaveCapacity: () => true,
    aligned: (b) => void log.push(`aligned ${b.checkpointId}`),
    alignmentAborted: (id) => log.push(`aborted ${id}`),
    inputsEnded: () => void log.push('inputs ended'),
  };
  const channels = inputs.map((input) => new LocalChannel(input, 100));
  for (const input of new Set(inputs)) channels.filter((c) => c.input === input).forEach((c, i) => (c.valveIndex = i));
  const processor = new InputProcessor(channels, head, host);
  processor.setup(new Set(inputs).size);
  return { input: processor, channels };
}

test('channels are read round-robin; records behind an exactly-once barrier wait until it came on every channel', () => {
  const log: string[] = [];
  const { input, channels: [a, b] } = processorOn(log, [0, 0]);
  a!.push(batch('a1'));
  a!.push(barrier(1));
  a!.push(batch('a2'));
  b!.push(batch('b1'));
  assert.equal(input.process(), undefined);
  assert.deepEqual(log, ['batch a1@0', 'batch b1@0']);
  assert.equal(input.hasInput(), false, 'a2 is held back by the alignment');
  b!.push(barrier(1));
  assert.equal(input.hasInput(), true);
  assert.equal(input.process(), undefined);
  assert.deepEqual(log, ['batch a1@0', 'batch b1@0', 'aligned 1', 'batch a2@0']);
  assert.equal(input.recordsIn, 3);
});

test('each input combines its watermarks; the end of every input is told once, after each input ends', () => {
  const log: string[] = [];
  const { input, channels: [first, second] } = processorOn(log, [0, 1]);
  first!.push(watermark(5));
  first!.push(END_OF_PARTITION);
  second!.push(watermark(3));
  second!.push(END_OF_PARTITION);
  assert.equal(input.process(), undefined);
  assert.deepEqual(log, ['watermark 5@0', 'watermark 3@1', 'end 0', 'end 1', 'inputs ended']);
  assert.equal(input.inputWatermark, 3);
});

test('a batch whose keys must be prefetched ends the step; it is handled once the prefetch is done', async () => {
  const log: string[] = [];
  let release!: () => void;
  const { input, channels: [only] } = processorOn(log, [0], new Promise((resolve) => (release = resolve)));
  only!.push(batch('x'));
  only!.push(batch('y'));
  const step = input.process();
  assert.ok(step, 'the step waits for the prefetch');
  assert.deepEqual(log, []);
  release();
  await step;
  assert.deepEqual(log, ['batch x@0']);
  assert.equal(only!.size, 1, 'y waits for the next step');
});
