// The Nexmark queries the benchmark runs, on the runtime at parallelism 1 and 4, must
// produce exactly the rows of the plain-loop reference (src/connectors/nexmark/
// queries-reference.ts): same count, same order-independent checksum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NEXMARK_QUERIES, createReferenceQuery, nexmarkConfig, nexmarkEvents } from '../../src/connectors/nexmark/index.ts';
import type { NexmarkEvent, NexmarkQueryName } from '../../src/connectors/nexmark/index.ts';
import { runNexmarkOnRuntime } from '../../bench/nexmark-runtime.ts';

// 40 s of event time: q5's 10 s windows sliding by 2 s and q7's 10 s windows fire many
// times during the run, not only at its end.
const EVENTS = 40_000;
const RATE = 1_000;

function reference(query: NexmarkQueryName): { count: number; checksum: number } {
  const config = nexmarkConfig({ firstEventRate: RATE });
  const q = createReferenceQuery(query);
  const batch: NexmarkEvent[] = [];
  for (let i = 0; i < EVENTS; i += 1024) q.process(batch, nexmarkEvents(i, Math.min(1024, EVENTS - i), config, batch));
  q.finish();
  return { count: q.sink.count, checksum: q.sink.checksum };
}

for (const query of NEXMARK_QUERIES) {
  test(`nexmark ${query} on the runtime gives the reference's rows at parallelism 1 and 4`, async () => {
    const expected = reference(query);
    assert.ok(expected.count > 1, `the reference's ${query} has ${expected.count} rows: too few to compare`);
    for (const parallelism of [1, 4]) {
      const got = await runNexmarkOnRuntime(query, EVENTS, RATE, parallelism);
      assert.deepEqual({ count: got.count, checksum: got.checksum }, expected, `${query} at parallelism ${parallelism}`);
    }
  });
}
