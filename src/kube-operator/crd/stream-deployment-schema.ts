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
        upgradeMode: enumOf(UPGRADE_MODES, { default: 'stateless', description: 'How a spec change reaches the running job. Only stateless works today: savepoint and last-state are accepted, reported as Degraded, and upgrade as stateless (state is lost).' }),
        savepointTriggerNonce: integer({ description: 'Change it to trigger a savepoint. Not supported yet: reported as Degraded, takes no savepoint.' }),
        checkpointTriggerNonce: integer({ description: 'Change it to trigger a checkpoint. Not supported yet: reported as Degraded, takes no checkpoint.' }),
        restartNonce: integer({ description: 'Change it to restart the job with the same spec.' }),
        initialSavepointPath: string({ description: 'Savepoint the job starts from on its first deployment. Not supported yet: reported as Degraded, the job starts without state.' }),
        allowNonRestoredState: boolean({ description: 'Allow savepoint state that maps to no operator. Not supported yet: reported as Degraded.' }),
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

const savepointInfo = object({ location: string(), timestamp: integer(), triggerType: string(), formatType: string() });

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
    pendingTrigger: object({ nonce: integer(), triggerId: string(), triggerTime: integer() }),
  }),
  reconciliation: object({
    lastReconciledSpec: string({ description: 'JSON of the spec the operator last acted on.' }),
    lastStableSpec: string({ description: 'JSON of the last spec that ran stably.' }),
    state: enumOf(RECONCILIATION_STATES),
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
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];
export type JobManagerDeploymentStatus = (typeof JOB_MANAGER_DEPLOYMENT_STATUSES)[number];
