/**
 * In-memory stand-ins for what a reconcile pass talks to (the Kubernetes API, the event
 * recorder, a JobManager), for unit tests of the interpreter and executor logic, which
 * involves no I/O of its own. They keep the semantics that logic relies on: optimistic
 * concurrency on resourceVersion, status written only through the status subresource, and
 * 409 for a create of an existing name. End-to-end behaviour is tested on the real test servers.
 */
import { KubeApiError } from '../../../src/kube-operator/kube/kube-client.ts';
import type { ListResult } from '../../../src/kube-operator/kube/kube-client.ts';
import type { KubeObject } from '../../../src/kube-operator/kube/kube-object.ts';
import type { StreamDeployment } from '../../../src/kube-operator/crd/stream-deployment-crd.ts';
import type { JobManagerApi, ObservedJob, SavepointThen, SnapshotKind, SnapshotOutcome } from '../../../src/kube-operator/jobmanager/jobmanager-api.ts';
import type { EventSpec } from '../../../src/kube-operator/reconciler/facts.ts';
import type { KubeAccess } from '../../../src/kube-operator/reconciler/plan-executor.ts';

export class InMemoryKube implements KubeAccess {
  readonly objects = new Map<string, KubeObject>();
  /** Every write, as `METHOD path`. */
  readonly writes: string[] = [];
  private version = 0;
  private readonly failures: { method: string; error: Error; path?: string }[] = [];

  /** Stores an object as another client would have, with a fresh resourceVersion. */
  put(path: string, o: KubeObject): KubeObject {
    const stored = structuredClone({ ...o, metadata: { ...o.metadata, resourceVersion: String(++this.version), generation: o.metadata.generation ?? 1 } });
    this.objects.set(path, stored);
    return structuredClone(stored);
  }

  /** The next write with this method (to `path`, when given: a collection for POST) fails with `error`. */
  failNext(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', error: Error, path?: string): void {
    this.failures.push({ method, error, path });
  }

  async get(path: string): Promise<KubeObject | undefined> {
    const o = this.objects.get(path);
    return o && structuredClone(o);
  }

  /** Objects stored directly under `collectionPath` whose labels include every `k=v` of the selector. */
  async list(collectionPath: string, labelSelector?: string): Promise<ListResult> {
    const wanted = (labelSelector ?? '').split(',').filter((s) => s !== '').map((s) => s.split('=') as [string, string]);
    const items = [...this.objects.entries()]
      .filter(([path, o]) => path.startsWith(`${collectionPath}/`) && !path.slice(collectionPath.length + 1).includes('/') && wanted.every(([k, v]) => o.metadata.labels?.[k] === v))
      .map(([, o]) => structuredClone(o));
    return { items, resourceVersion: String(this.version) };
  }

  async create(collectionPath: string, body: KubeObject): Promise<KubeObject> {
    const path = `${collectionPath}/${body.metadata.name}`;
    this.write('POST', collectionPath);
    if (this.objects.has(path)) throw new KubeApiError(409, 'AlreadyExists', 'POST', collectionPath, `${body.metadata.name} already exists`);
    return this.put(path, body);
  }

  async replace(path: string, body: KubeObject): Promise<KubeObject> {
    const stored = this.current('PUT', path, body.metadata.resourceVersion);
    return this.put(path, { ...body, status: stored.status });
  }

  async replaceStatus(path: string, body: KubeObject): Promise<KubeObject> {
    const stored = this.current('PUT', `${path}/status`, body.metadata.resourceVersion);
    return this.put(path, { ...stored, status: body.status });
  }

  async patch(path: string, body: unknown): Promise<KubeObject> {
    const patch = body as { metadata?: Partial<KubeObject['metadata']> };
    const stored = this.current('PATCH', path, patch.metadata?.resourceVersion);
    return this.put(path, { ...stored, metadata: { ...stored.metadata, ...patch.metadata } });
  }

  /** Deletes at once (dependents are not modelled); a missing object counts as done, as KubeClient's delete. */
  async delete(path: string): Promise<void> {
    this.write('DELETE', path);
    this.objects.delete(path);
  }

  private write(method: string, path: string): void {
    this.writes.push(`${method} ${path}`);
    const i = this.failures.findIndex((f) => f.method === method && (f.path === undefined || f.path === path));
    if (i !== -1) throw this.failures.splice(i, 1)[0]!.error;
  }

  private current(method: string, path: string, resourceVersion: string | undefined): KubeObject {
    this.write(method, path);
    const stored = this.objects.get(path.replace(/\/status$/, ''));
    if (!stored) throw new KubeApiError(404, 'NotFound', method, path, 'not found');
    if (resourceVersion !== undefined && resourceVersion !== stored.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', method, path, 'the object has been modified');
    return stored;
  }
}

export class InMemoryEvents {
  readonly recorded: EventSpec[] = [];
  async record(_sd: StreamDeployment, e: EventSpec): Promise<void> {
    this.recorded.push(e);
  }
}

export class InMemoryJobManager implements JobManagerApi {
  job: ObservedJob | undefined;
  /** When set, every call fails with it (a JobManager that cannot be reached). */
  unreachable: Error | undefined;
  asked = 0;
  readonly cancelled: string[] = [];

  async currentJob(): Promise<ObservedJob | undefined> {
    this.asked++;
    if (this.unreachable) throw this.unreachable;
    return this.job && structuredClone(this.job);
  }

  async cancel(jobId: string): Promise<void> {
    if (this.unreachable) throw this.unreachable;
    this.cancelled.push(jobId);
    if (this.job?.id === jobId) this.job = { ...this.job, state: 'CANCELED' };
  }

  /** Triggers as received, `kind:jobId:triggerId[:then]`; outcomes by trigger id (IN_PROGRESS until a test settles one). */
  readonly triggers: string[] = [];
  readonly outcomes = new Map<string, SnapshotOutcome>();

  async triggerSavepoint(jobId: string, triggerId: string, then: SavepointThen): Promise<void> {
    if (this.unreachable) throw this.unreachable;
    this.triggers.push(`savepoint:${jobId}:${triggerId}:${then}`);
    if (!this.outcomes.has(triggerId)) this.outcomes.set(triggerId, { status: 'IN_PROGRESS' });
  }

  async triggerCheckpoint(jobId: string, triggerId: string): Promise<void> {
    if (this.unreachable) throw this.unreachable;
    this.triggers.push(`checkpoint:${jobId}:${triggerId}`);
    if (!this.outcomes.has(triggerId)) this.outcomes.set(triggerId, { status: 'IN_PROGRESS' });
  }

  async snapshotStatus(_jobId: string, _kind: SnapshotKind, triggerId: string): Promise<SnapshotOutcome> {
    if (this.unreachable) throw this.unreachable;
    return this.outcomes.get(triggerId) ?? { status: 'UNKNOWN' };
  }
}
