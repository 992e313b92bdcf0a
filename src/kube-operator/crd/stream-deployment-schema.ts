/**
 * The StreamDeployment schema (weir.dev/v1alpha1), written once: `npm run crds` renders it
 * into crds/ and the Helm chart, and the operator's types are inferred from it.
 */
import { array, boolean, enumOf, freeform, integer, intOrString, mapOf, object, string } from './schema-dsl.ts';
import type { TypeOf } from './schema-dsl.ts';
import { autoscalerSpec, autoscalerStatus } from './autoscaler-schema.ts';

export const LIFECYCLE_STATES = ['CREATED', 'DEPLOYED', 'STABLE', 'UPGRADING', 'SUSPENDED', 'ROLLING_BACK', 'ROLLED_BACK', 'FAILED', 'DELETING'] as const;
export const JOB_MANAGER_DEPLOYMENT_STATUSES = ['READY', 'DEPLOYED_NOT_READY', 'DEPLOYING', 'MISSING', 'ERROR'] as const;
export const UPGRADE_MODES = ['stateless', 'last-state', 'savepoint'] as const;
export const JOB_STATES = ['running', 'suspended'] as const;
export const RECONCILIATION_STATES = ['DEPLOYED', 'UPGRADING', 'ROLLING_BACK', 'ROLLED_BACK'] as const;
/** The steps of an upgrade, each written to status before the side effect that follows it. */
export const UPGRADE_STEPS = ['SAVEPOINTING', 'SAVEPOINT_DONE', 'DEPLOYING', 'DROPPING_STATE'] as const;
export const SNAPSHOT_TRIGGER_TYPES = ['MANUAL', 'PERIODIC', 'UPGRADE', 'DELETION'] as const;

const resources = object(
  {
    cpu: intOrString({ description: 'CPU request and limit, e.g. 1 or 500m.' }),
    memory: intOrString({ description: 'Memory request and limit, e.g. 2Gi. The Node.js heap is sized from it.' }),
  },
  { description: 'Resources of each pod of this role.' },
);

const podTemplate = freeform({ description: 'A Pod template merged under the operator\'s own: its containers, volumes, labels and annotations are added to, or override, the generated ones.' });

export const streamDeploymentSpec = object(
  {
    image: string({ description: 'Runtime image holding the weir entry point and the job bundle. Required (the operator reports a missing one as Degraded).' }),
    imagePullPolicy: enumOf(['Always', 'IfNotPresent', 'Never'] as const, { default: 'IfNotPresent' }),
    serviceAccount: string({ description: 'ServiceAccount of the JobManager and TaskManager pods. When empty the operator creates one, with the Role the runtime needs for high availability.' }),
    configuration: mapOf(string(), { description: 'Runtime configuration with Flink\'s keys, e.g. taskmanager.numberOfTaskSlots: "2".' }),
    jobManager: object(
      {
        replicas: integer({ minimum: 1, default: 1, description: 'JobManager replicas. More than 1 needs high-availability.type: kubernetes: one leads, the others stand by to take over.' }),
        resources,
        podTemplate,
      },
      { default: {} },
    ),
    taskManager: object(
      {
        replicas: integer({ minimum: 0, description: 'TaskManager pods. When unset: ceil(parallelism / taskmanager.numberOfTaskSlots).' }),
        resources,
        podTemplate,
      },
      { default: {} },
    ),
    job: object(
      {
        entry: string({ minLength: 1, description: 'Path of the job module inside the image, e.g. /opt/weir/job/fraud-detection.ts.' }),
        args: array(string(), { description: 'Arguments passed to the job\'s main, e.g. ["--rate", "1000"].' }),
        parallelism: integer({ minimum: 1, default: 1 }),
        maxParallelism: integer({ minimum: 1, maximum: 32768, description: 'Number of key groups; the upper bound for rescaling.' }),
        state: enumOf(JOB_STATES, { default: 'running' }),
        upgradeMode: enumOf(UPGRADE_MODES, {
          default: 'stateless',
          description: 'How a spec change (and suspend) reaches the running job: stateless cancels and starts fresh; savepoint stops the job with a savepoint and restores from it; last-state restarts the JobManager, which restores from the latest checkpoint in its high-availability metadata.',
        }),
        savepointTriggerNonce: integer({ description: 'Change it to take one savepoint of the running job (status.savepoints.last).' }),
        checkpointTriggerNonce: integer({ description: 'Change it to take one checkpoint of the running job.' }),
        restartNonce: integer({ description: 'Change it to restart the job with the same spec, through its upgrade mode.' }),
        savepointRedeployNonce: integer({ description: 'Change it together with initialSavepointPath to redeploy the job from that savepoint, dropping its current state.' }),
        initialSavepointPath: string({ description: 'Savepoint the job starts from on its first deployment (and on a savepointRedeployNonce change).' }),
        allowNonRestoredState: boolean({ description: 'Allow savepoint state that maps to no operator of the job (execution.savepoint.ignore-unclaimed-state).' }),
      },
      { required: ['entry'] },
    ),
    autoscaler: autoscalerSpec,
  },
  { required: ['job'] },
);

const condition = object(
  {
    type: string(),
    status: enumOf(['True', 'False', 'Unknown'] as const),
    reason: string(),
    message: string(),
    lastTransitionTime: string({ format: 'date-time' }),
    observedGeneration: integer(),
  },
  { required: ['type', 'status'] },
);

const savepointInfo = object({ location: string(), timestamp: integer(), triggerType: enumOf(SNAPSHOT_TRIGGER_TYPES), formatType: string() });

const snapshotTrigger = object({
  kind: enumOf(['savepoint', 'checkpoint'] as const),
  triggerType: enumOf(SNAPSHOT_TRIGGER_TYPES),
  nonce: integer(),
  jobId: string(),
  triggerId: string({ description: 'Chosen by the operator and written here before the trigger, so a retried trigger is the same one.' }),
  triggerTime: integer(),
  attempt: integer({ description: 'Failed attempts so far; the next one waits retryAt.' }),
  retryAt: integer(),
  error: string(),
});

const upgrade = object(
  {
    mode: enumOf(UPGRADE_MODES),
    reason: string({ description: 'Why the job is being redeployed, and why this mode.' }),
    step: enumOf(UPGRADE_STEPS),
    jobId: string({ description: 'The job being stopped.' }),
    triggerId: string({ description: 'Of the stop-with-savepoint, written before it is sent.' }),
    savepointPath: string({ description: 'The savepoint taken, written before anything is redeployed.' }),
    attempt: integer(),
    retryAt: integer(),
    startTime: integer(),
  },
  { description: 'An upgrade in progress: the write-ahead log an operator restarted mid-way resumes from.' },
);

export const streamDeploymentStatus = object({
  observedGeneration: integer(),
  conditions: array(condition, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  lifecycleState: enumOf(LIFECYCLE_STATES),
  jobManagerDeploymentStatus: enumOf(JOB_MANAGER_DEPLOYMENT_STATUSES),
  job: object({ id: string(), name: string(), state: string(), startTime: string() }),
  taskManager: object({ replicas: integer(), labelSelector: string() }, { description: 'Backs the scale subresource.' }),
  savepoints: object({
    last: savepointInfo,
    history: array(savepointInfo),
    pendingTrigger: snapshotTrigger,
    lastSavepointTime: string({ format: 'date-time', description: 'When the latest savepoint completed (the Last Savepoint column).' }),
    lastSavepointNonce: integer(),
    lastCheckpointNonce: integer(),
    lastCheckpoint: object({ checkpointId: integer(), timestamp: integer(), triggerType: enumOf(SNAPSHOT_TRIGGER_TYPES) }),
  }),
  reconciliation: object({
    lastReconciledSpec: string({ description: 'JSON of the spec the operator last acted on.' }),
    lastStableSpec: string({ description: 'JSON of the last spec that ran stably.' }),
    state: enumOf(RECONCILIATION_STATES),
    upgrade,
    restorePath: string({ description: 'The savepoint the deployed job starts from (execution.savepoint.path).' }),
    allowNonRestoredState: boolean({ description: 'Whether the deployed job may drop savepoint state no operator claims.' }),
    deployTime: integer({ description: 'When lastReconciledSpec was deployed (epoch ms): the readiness timeout counts from it.' }),
    rolledBackSpec: string({ description: 'JSON of the spec that was rolled back: it is not deployed again until the spec changes.' }),
  }),
  autoscaler: autoscalerStatus,
  error: string({ description: 'Why the last reconciliation or the job failed, if it did.' }),
});

export const streamDeploymentSchema = object(
  {
    apiVersion: string(),
    kind: string(),
    metadata: object({}),
    spec: streamDeploymentSpec,
    status: streamDeploymentStatus,
  },
  { required: ['spec'] },
);

export type StreamDeploymentSpec = TypeOf<typeof streamDeploymentSpec>;
export type StreamDeploymentStatus = TypeOf<typeof streamDeploymentStatus>;
export type Condition = TypeOf<typeof condition>;
export type Upgrade = TypeOf<typeof upgrade>;
export type SnapshotTrigger = TypeOf<typeof snapshotTrigger>;
export type SavepointInfo = TypeOf<typeof savepointInfo>;
export type UpgradeMode = (typeof UPGRADE_MODES)[number];
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];
export type JobManagerDeploymentStatus = (typeof JOB_MANAGER_DEPLOYMENT_STATUSES)[number];
