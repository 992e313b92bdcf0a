import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineJob, WatermarkStrategy } from '../../api/index.ts';
import { DataGeneratorSource } from '../../connectors/datagen/index.ts';
import { buildJobPlan } from '../graph/job-plan.ts';
import { downstreamSlots } from './slot-deployment.ts';

const numbers = () => new DataGeneratorSource((i) => i, 100);

test('a slot dials only the slots its subtasks send to', async () => {
  const chained = await buildJobPlan(defineJob((env) => void env.fromSource(numbers(), WatermarkStrategy.noWatermarks(), 'n').map((i) => i + 1).print()), { parallelism: 4 });
  assert.deepEqual([...downstreamSlots(chained, 2)], []);
  const keyed = await buildJobPlan(defineJob((env) => void env.fromSource(numbers(), WatermarkStrategy.noWatermarks(), 'n').keyBy((i) => i % 3).map((i) => i).print()), { parallelism: 4 });
  assert.deepEqual([...downstreamSlots(keyed, 1)].sort(), [0, 2, 3]);
  // rescale 4 -> 2: subtasks 0 and 1 send to 0, 2 and 3 to 1.
  const rescaled = await buildJobPlan(
    defineJob((env) => {
      env.fromSource(numbers(), WatermarkStrategy.noWatermarks(), 'n').setParallelism(4).rescale().map((i) => i).setParallelism(2).print();
    }),
  );
  assert.deepEqual([...downstreamSlots(rescaled, 0)], []);
  assert.deepEqual([...downstreamSlots(rescaled, 3)], [1]);
});
