/** The runtime configuration file the ConfigMap carries, with the keys the operator owns. */
import type { StreamDeploymentSpec } from '../crd/stream-deployment-schema.ts';
import { kubernetesHa, maxParallelismOf, slotsPerTaskManager } from '../validation/validate-spec.ts';
import { OPERATOR_KEY_PREFIX } from '../reconciler/operator-settings.ts';
import { REST_PORT } from './names.ts';

/** Where a deployed job starts from: a savepoint (an upgrade's, a resume's, or initialSavepointPath). */
export interface RestoreFrom {
  path: string;
  allowNonRestoredState: boolean;
}

/** The user's configuration without the operator's own keys (changing those restarts nothing). */
export function jobConfiguration(spec: StreamDeploymentSpec): Record<string, string> {
  return Object.fromEntries(Object.entries(spec.configuration ?? {}).filter(([k]) => !k.startsWith(OPERATOR_KEY_PREFIX)));
}

/**
 * `deployment` names this deployment of the job (the cluster hash: it changes exactly when a
 * new job run is deployed). As the Flink operator, each deployment gets a job result store
 * of its own: a JobManager restarted within the deployment finds the result of a job that
 * already ended and does not run it again, while an upgrade, a restart, a resume or a
 * rollback deploys a job that runs, although its id (fixed per cluster) is the same.
 */
export function runtimeConfiguration(spec: StreamDeploymentSpec, name: string, restore?: RestoreFrom, deployment?: string): Record<string, string> {
  const config: Record<string, string> = jobConfiguration(spec);
  if (restore) {
    config['execution.savepoint.path'] = restore.path;
    config['execution.savepoint.ignore-unclaimed-state'] = String(restore.allowNonRestoredState);
  }
  config['taskmanager.numberOfTaskSlots'] = String(slotsPerTaskManager(spec) ?? 1);
  config['parallelism.default'] = String(spec.job.parallelism ?? 1);
  const maxParallelism = maxParallelismOf(spec);
  if (maxParallelism !== undefined) config['pipeline.max-parallelism'] = String(maxParallelism);
  config['rest.port'] = String(REST_PORT);
  // As the Flink operator: the HA ConfigMaps are named after the deployment unless told otherwise.
  if (kubernetesHa(spec)) config['high-availability.cluster-id'] ??= name;
  const storageDir = config['high-availability.storageDir'];
  if (kubernetesHa(spec) && storageDir && deployment !== undefined) {
    config['job-result-store.storage-path'] ??= `${storageDir.replace(/\/+$/, '')}/job-result-store/${config['high-availability.cluster-id']}/${deployment}`;
  }
  // The operator reads the final job state from the JobManager, so it must outlive the job.
  config['execution.shutdown-on-application-finish'] = 'false';
  return Object.fromEntries(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
}

/** `key: value` lines, values quoted as JSON strings so any text survives. */
export function renderConfigFile(config: Record<string, string>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`)
    .join('');
}
