import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { AutoscalerMetrics } from './autoscaler-metrics.ts';
import { autoscalerStatusOf, scalingHistoryOf, scalingReportEvent } from './scaling-report.ts';
import type { ScalingDecision, ScalingHistory, VertexRecommendation } from './scaling-inputs.ts';

const T0 = Date.UTC(2026, 11, 3, 12);
const history: ScalingHistory = { lastRescaleAt: T0 - 3_600_000, restartTimesMs: [61_000.4], pendingScaleDowns: {} };
const up: VertexRecommendation = { vertexId: 'v1', name: 'Source: orders', current: 2, recommended: 4, direction: 'up', reason: 'ScaleUp', message: 'utilization 0.90', inputRate: 1000.4, targetRate: 1000.4, trueRatePerSubtask: 555.555, utilization: 0.9004, lag: 12 };
const hold: VertexRecommendation = { vertexId: 'v2', name: 'KeyedProcess', current: 8, recommended: 8, direction: 'none', reason: 'ScaleDownDelayed', message: 'would scale down to 6' };
const decision = (vertices: VertexRecommendation[], pending: ScalingDecision['pendingScaleDowns'] = {}): ScalingDecision => ({
  vertices,
  rescale: vertices.some((v) => v.recommended !== v.current),
  parallelism: Object.fromEntries(vertices.map((v) => [v.vertexId, v.recommended])),
  pendingScaleDowns: pending,
  restartTimeMs: 300_000,
});

test('status.autoscaler records each vertex\'s decision with rounded figures, and the history round-trips', () => {
  const status = autoscalerStatusOf(decision([up, hold], { v2: { since: T0 - 60_000, highest: 6 } }), history, undefined, T0);
  assert.deepEqual(status, {
    lastDecisionTime: '2026-12-03T12:00:00.000Z',
    lastRescaleTime: '2026-12-03T11:00:00.000Z',
    vertices: [
      { vertexId: 'v1', name: 'Source: orders', current: 2, recommended: 4, direction: 'up', reason: 'ScaleUp', message: 'utilization 0.90', inputRate: 1000, targetRate: 1000, trueRatePerSubtask: 556, utilization: 0.9, lag: 12 },
      { vertexId: 'v2', name: 'KeyedProcess', current: 8, recommended: 8, direction: 'none', reason: 'ScaleDownDelayed', message: 'would scale down to 6' },
    ],
    pendingScaleDowns: { v2: { since: '2026-12-03T11:59:00.000Z', highest: 6 } },
    restartTimesMs: [61_000],
  });
  assert.deepEqual(scalingHistoryOf(status), { lastRescaleAt: T0 - 3_600_000, lastSpecChangeAt: undefined, restartTimesMs: [61_000], pendingScaleDowns: { v2: { since: T0 - 60_000, highest: 6 } } });
});

test('the same decision with other figures later keeps the recorded one: a steady job writes no status', () => {
  const first = autoscalerStatusOf(decision([up, hold]), history, undefined, T0);
  const again = autoscalerStatusOf(decision([{ ...up, inputRate: 1100 }, hold]), history, first, T0 + 15_000);
  assert.deepEqual(again, first);
  const changed = autoscalerStatusOf(decision([{ ...up, recommended: 6 }, hold]), history, first, T0 + 30_000);
  assert.equal(changed.lastDecisionTime, '2026-12-03T12:00:30.000Z');
  assert.equal(changed.vertices![0]!.recommended, 6);
});

test('a ScalingReport Event for a decision that would change the job, once', () => {
  const d = decision([up, hold]);
  assert.deepEqual(scalingReportEvent(d, undefined, false), { type: 'Normal', reason: 'ScalingReport', message: 'Recommended, not applied (metricsOnly): Source: orders 2 -> 4 (utilization 0.90)' });
  assert.equal(scalingReportEvent(d, autoscalerStatusOf(d, history, undefined, T0), false), undefined);
  assert.equal(scalingReportEvent(decision([hold]), undefined, true), undefined);
  assert.match(scalingReportEvent(d, undefined, true)!.message, /^Rescaling: /);
});

test('current and recommended parallelism per vertex, removed with the StreamDeployment', async () => {
  const registry = new Registry();
  const metrics = new AutoscalerMetrics(registry);
  metrics.record('prod', 'orders', decision([up, hold]).vertices);
  const text = await registry.metrics();
  assert.match(text, /weir_operator_autoscaler_parallelism\{namespace="prod",name="orders",vertex_id="v1",vertex_name="Source: orders"\} 2/);
  assert.match(text, /weir_operator_autoscaler_recommended_parallelism\{namespace="prod",name="orders",vertex_id="v1",vertex_name="Source: orders"\} 4/);
  metrics.forget('prod', 'orders');
  assert.doesNotMatch(await registry.metrics(), /vertex_id=/);
});
