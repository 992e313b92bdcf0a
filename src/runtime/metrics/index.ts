/** Metric registry and Prometheus exposition with Flink's metric names and labels. */
export { MetricRegistry } from './registry.ts';
export type { MetricRegistryOptions } from './registry.ts';
export { MetricsServer, handleMetricsRequest } from './metrics-server.ts';
export type { MetricsServerOptions } from './metrics-server.ts';
export { registerJobMetrics, uptimeMs, NO_LONGER_RUNNING } from './job-metrics.ts';
export type { JobMetricsProbe } from './job-metrics.ts';
export { registerTaskMetrics } from './task-metric-group.ts';
export type { OperatorProbe, TaskProbe } from './task-metric-group.ts';
export { ExecutorMetrics } from './executor-metrics.ts';
export type { TaskMetricsOptions } from './executor-metrics.ts';
export { MeterView, TimerView, ViewUpdater, FLINK_VIEW_TIMING } from './views.ts';
export type { ViewTiming } from './views.ts';
export { TaskTimes, READY, IDLE, BACK_PRESSURED } from './task-times.ts';
export { parsePrometheusText, findSamples } from './prometheus-text.ts';
export type { Sample } from './prometheus-text.ts';
export * from './scope.ts';
