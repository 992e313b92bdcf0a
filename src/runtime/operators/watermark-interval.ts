/** `pipeline.auto-watermark-interval`: how often periodic watermark generators are asked (Flink's default 200ms; 0 turns them off). */
import { parseDuration } from '../config/duration.ts';

export const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

export function autoWatermarkInterval(config: ReadonlyMap<string, string>): number {
  const configured = config.get('pipeline.auto-watermark-interval');
  return configured === undefined ? DEFAULT_AUTO_WATERMARK_INTERVAL_MS : parseDuration(configured, 'pipeline.auto-watermark-interval');
}
