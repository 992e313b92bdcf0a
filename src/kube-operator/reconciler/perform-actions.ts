/**
 * The interpreter of a reconcile plan: performs its actions in order, one side effect
 * each, and decides nothing itself. Every write after the first carries the resourceVersion
 * the previous one returned, so a concurrent change fails the pass with a conflict instead of
 * being overwritten.
 */
import { API_VERSION, KIND, asStreamDeployment } from '../crd/stream-deployment-crd.ts';
import type { StreamDeployment } from '../crd/stream-deployment-crd.ts';
import { FINALIZER } from '../children/names.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { objectPath, resourcePath } from '../kube/kube-object.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { JobManagerApi } from '../jobmanager/jobmanager-api.ts';
import { haLabels } from '../../runtime/jobmanager/ha/ha-config.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';
import type { ReconcileAction, ReconcilePlan } from './actions.ts';

/** The Kubernetes writes a plan needs. */
export type KubeWrites = Pick<KubeClient, 'create' | 'replace' | 'replaceStatus' | 'patch' | 'delete' | 'list'>;

/** Deletes a savepoint's files; `configuration` is the deployment's (storage credentials, endpoints). */
export type SavepointDisposer = (location: string, configuration: Readonly<Record<string, string>>) => Promise<void>;

export interface ActionTargets {
  kube: KubeWrites;
  events: Pick<EventRecorder, 'record'>;
  jobManager: JobManagerApi;
  disposeSavepoint?: SavepointDisposer;
  log?: (line: string) => void;
  /** Called before every action; throws once this replica must stop acting (lost lease, shutdown). */
  guard?: () => void;
}

export interface PlanResult {
  /** The StreamDeployment as the last write returned it. */
  sd: StreamDeployment;
  requeueAfterMs?: number;
  /** The finalizer was removed: the API server deletes the resource now. */
  released: boolean;
}

export async function performActions(start: StreamDeployment, plan: ReconcilePlan, targets: ActionTargets): Promise<PlanResult> {
  let result: PlanResult = { sd: start, released: false };
  for (const action of plan) {
    targets.guard?.();
    result = await perform(result, action, targets);
  }
  return result;
}

async function perform(state: PlanResult, action: ReconcileAction, t: ActionTargets): Promise<PlanResult> {
  const { sd } = state;
  const path = resourcePath(API_VERSION, KIND, sd.metadata.namespace, sd.metadata.name);
  switch (action.type) {
    case 'addFinalizer':
      return { ...state, sd: asStreamDeployment(await t.kube.patch(path, { metadata: { finalizers: [...(sd.metadata.finalizers ?? []), FINALIZER], resourceVersion: sd.metadata.resourceVersion } })) };
    case 'recordTarget':
    case 'writeStatus':
      return { ...state, sd: asStreamDeployment(await t.kube.replaceStatus(path, { ...sd, status: action.status })) };
    case 'createChild':
      await t.kube.create(resourcePath(action.object.apiVersion, action.object.kind, action.object.metadata.namespace), action.object);
      return state;
    case 'replaceChild':
      await t.kube.replace(objectPath(action.object), action.object);
      return state;
    case 'cancelJob':
      try {
        await t.jobManager.cancel(action.jobId);
      } catch (err) {
        if (!action.bestEffort) throw err;
        t.log?.(`cancel of job ${action.jobId} in ${sd.metadata.namespace}/${sd.metadata.name} failed: ${errorMessage(err)}`);
      }
      return state;
    case 'deleteChild':
      await t.kube.delete(objectPath(action.object), 'Foreground');
      return state;
    case 'deleteHaConfigMaps': {
      const selector = Object.entries(haLabels(action.clusterId))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const found = await t.kube.list(resourcePath('v1', 'ConfigMap', sd.metadata.namespace), selector);
      // Items of a list carry no apiVersion or kind.
      for (const cm of found.items) await t.kube.delete(resourcePath('v1', 'ConfigMap', sd.metadata.namespace, cm.metadata.name));
      return state;
    }
    case 'triggerSavepoint':
      await t.jobManager.triggerSavepoint(action.jobId, action.triggerId, action.then);
      return state;
    case 'triggerCheckpoint':
      await t.jobManager.triggerCheckpoint(action.jobId, action.triggerId);
      return state;
    case 'deleteHaMetadata':
      for (const name of action.configMaps) await t.kube.delete(objectPath({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: sd.metadata.namespace } }));
      return state;
    case 'disposeSavepoint':
      // Best effort: a savepoint that cannot be deleted now is only disk space, not a wrong job.
      try {
        if (!t.disposeSavepoint) throw new WeirError('INVALID_ARGUMENTS', 'no savepoint storage is configured for the operator', false);
        await t.disposeSavepoint(action.location, sd.spec.configuration ?? {});
      } catch (err) {
        t.log?.(`could not dispose of savepoint ${action.location} of ${sd.metadata.namespace}/${sd.metadata.name}: ${errorMessage(err)}`);
      }
      return state;
    case 'recordEvent':
      // Events are best effort, as client-go's recorder makes them: a namespace being deleted
      // refuses new Events (403), and that must not keep the finalizer on forever.
      try {
        await t.events.record(sd, action.event);
      } catch (err) {
        t.log?.(`could not record the ${action.event.reason} event for ${sd.metadata.namespace}/${sd.metadata.name}: ${errorMessage(err)}`);
      }
      return state;
    case 'removeFinalizer':
      await t.kube.patch(path, { metadata: { finalizers: (sd.metadata.finalizers ?? []).filter((f) => f !== FINALIZER), resourceVersion: sd.metadata.resourceVersion } });
      return { ...state, released: true };
    case 'requeueAfter':
      return { ...state, requeueAfterMs: action.ms };
    default:
      return unknownAction(action);
  }
}

function unknownAction(action: never): never {
  throw new WeirError('INTERNAL', `unknown reconcile action ${JSON.stringify(action)}`, false);
}
