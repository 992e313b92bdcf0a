/** The CustomResourceDefinition object for StreamDeployment, built from the schema. */
import { streamDeploymentSchema } from './stream-deployment-schema.ts';
import type { StreamDeploymentSpec, StreamDeploymentStatus } from './stream-deployment-schema.ts';
import type { KubeMeta } from '../kube/kube-object.ts';

export const GROUP = 'weir.dev';
export const VERSION = 'v1alpha1';
export const PLURAL = 'streamdeployments';
export const KIND = 'StreamDeployment';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Metadata of a stored StreamDeployment: always namespaced. */
export type ObjectMeta = KubeMeta & { namespace: string };

export interface StreamDeployment {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: StreamDeploymentSpec;
  status?: StreamDeploymentStatus;
}

export function streamDeploymentCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural: PLURAL, singular: 'streamdeployment', kind: KIND, listKind: `${KIND}List`, shortNames: ['sdep'], categories: ['all', 'weir'] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: { specReplicasPath: '.spec.taskManager.replicas', statusReplicasPath: '.status.taskManager.replicas', labelSelectorPath: '.status.taskManager.labelSelector' },
          },
          // Ready and Degraded beside the lifecycle: a spec the operator refused (or a JobManager that
          // keeps crashing) shows at a glance, even while the last valid deployment runs STABLE.
          additionalPrinterColumns: [
            { name: 'Job State', type: 'string', jsonPath: '.status.job.state', description: 'State of the job as the JobManager reports it' },
            { name: 'Lifecycle', type: 'string', jsonPath: '.status.lifecycleState', description: 'Where the deployment is in its lifecycle' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'The job runs with every task' },
            { name: 'Degraded', type: 'string', jsonPath: '.status.conditions[?(@.type=="Degraded")].status', description: 'The spec is not (fully) acted on, or the deployment is failing: see Reason' },
            { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Degraded")].reason', priority: 1, description: 'Why it is degraded' },
            { name: 'Last Savepoint', type: 'date', jsonPath: '.status.savepoints.lastSavepointTime', description: 'Age of the latest savepoint' },
            { name: 'Parallelism', type: 'integer', jsonPath: '.spec.job.parallelism', description: 'Parallelism the spec asks for' },
            { name: 'Error', type: 'string', jsonPath: '.status.error', priority: 1, description: 'Why the last reconciliation or the job failed' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema: streamDeploymentSchema.json },
        },
      ],
    },
  };
}

/** A StreamDeployment as the API server returned it (its schema was enforced there). */
export function asStreamDeployment(o: { kind: string }): StreamDeployment {
  return o as unknown as StreamDeployment;
}
