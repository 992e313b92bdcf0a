/** The progress line `weir run` prints to stderr: records in/out per second and the watermark. */
import type { VertexMetrics } from '../runtime/task/task-group.ts';

export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${Math.round(perSecond)}/s`;
}

export function formatWatermark(wm: number): string {
  if (wm === -Infinity) return 'none';
  if (wm === Infinity) return 'end';
  return new Date(wm).toISOString();
}

/** Totals over sources (in) and sinks (out), and the lowest watermark over non-source vertices. */
export function summarize(metrics: readonly VertexMetrics[], isSource: (i: number) => boolean, isSink: (i: number) => boolean) {
  let recordsIn = 0;
  let recordsOut = 0;
  let watermark = Infinity;
  metrics.forEach((m, i) => {
    if (isSource(i)) recordsIn += m.recordsIn;
    if (isSink(i)) recordsOut += m.recordsOut;
    if (!isSource(i)) watermark = Math.min(watermark, m.watermark);
  });
  return { recordsIn, recordsOut, watermark: watermark === Infinity ? -Infinity : watermark };
}
