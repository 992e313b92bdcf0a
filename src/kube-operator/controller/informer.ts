/**
 * A shared-informer-style cache of one resource: list, then watch from the list's version,
 * keeping an in-memory copy and telling handlers about adds, updates and deletes. It heals
 * itself: a normally closed watch resumes from the last version seen, and a 410 Gone or a
 * broken watch relists, turning anything missed (deletes included) into events. Failures
 * back off exponentially; the backoff resets once a watch delivers events again.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { WeirError } from '../../errors/index.ts';
import { Backoff, sleep } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { KubeClient } from '../kube/kube-client.ts';
import { ObjectStore } from './object-store.ts';
import type { KubeObjectLike, StoreEvent } from './object-store.ts';
import { startWatch } from './watch-stream.ts';
import type { WatchEvent } from './watch-stream.ts';

export type { KubeObjectLike } from './object-store.ts';

export interface InformerOptions {
  /** Collection path: `/apis/weir.dev/v1alpha1/namespaces/ns/streamdeployments`, or without the namespace for all. */
  path: string;
  labelSelector?: string;
  /** Re-deliver every cached object as an update this often; 0 (the default) turns it off. */
  resyncPeriodMs?: number;
  /** Waits between failed attempts (client-go: 800ms doubling to 30s). */
  backoff?: BackoffOptions;
  /** Asks the server to end each watch after this long (client-go: 5-10 min); the informer resumes it. */
  watchTimeoutSeconds?: number;
  /** List page size; large collections are listed in pages. */
  pageSize?: number;
  /** Told about every list/watch failure and handler error; defaults to console.error. */
  onError?: (err: unknown) => void;
}

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(old: T, obj: T): void;
  delete?(obj: T): void;
}

interface ListResponse<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export class Informer<T extends KubeObjectLike> {
  private readonly store = new ObjectStore<T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly backoff: Backoff;
  private readonly onError: (err: unknown) => void;
  private readonly stopper = new AbortController();
  private syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private loop: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private synced = false;
  private resourceVersion = '';
  private readonly kube: KubeClient;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: InformerOptions,
  ) {
    this.backoff = new Backoff(options.backoff, { initialMs: 800, maxMs: 30_000 });
    this.kube = new KubeClient(kc);
    this.onError = options.onError ?? ((err) => console.error(`informer ${options.path}:`, err));
  }

  /** Registers handlers; objects already cached are delivered to them as adds at once. */
  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
    for (const obj of this.store.list()) this.call(() => handlers.add?.(obj));
  }

  /** Starts listing and watching in the background; stop() ends it. */
  start(): void {
    if (this.loop) throw new WeirError('INFORMER_STARTED', `informer ${this.options.path} was already started`, false);
    this.loop = this.run();
    const period = this.options.resyncPeriodMs ?? 0;
    if (period > 0) this.resyncTimer = setInterval(() => this.resync(), period);
  }

  /** Ends the watch, the retries and the resync timer; resolves once no request is open. */
  async stop(): Promise<void> {
    this.stopper.abort();
    clearInterval(this.resyncTimer);
    for (const w of this.syncWaiters.splice(0)) w.reject(new WeirError('INFORMER_STOPPED', `informer ${this.options.path} stopped before it synced`, false));
    await this.loop;
  }

  /** True once the first list has been applied to the cache. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache reflects (the last list, event or bookmark). */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.stopper.signal.aborted) return Promise.reject(new WeirError('INFORMER_STOPPED', `informer ${this.options.path} is stopped`, false));
    return new Promise((resolve, reject) => this.syncWaiters.push({ resolve, reject }));
  }

  /** The cached object; leave `namespace` undefined for cluster-scoped resources. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Cached objects, optionally of one namespace. Treat them as read-only. */
  list(namespace?: string): T[] {
    const all = this.store.list();
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      await sleep(this.backoff.delay(), signal);
      if (signal.aborted) return;
      try {
        await this.relist(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.backoff.fail();
        this.onError(err);
        continue;
      }
      await this.watchUntilBroken(signal);
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.kube.getJson<ListResponse<T>>(this.options.path, { labelSelector: this.options.labelSelector, limit: String(this.options.pageSize ?? 500), continue: cont }, signal);
      items.push(...(page.items ?? []));
      rv = page.metadata?.resourceVersion ?? rv;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    // Lists omit each item's kind; leave the objects as the server sent them.
    this.resourceVersion = rv;
    for (const e of this.store.replace(items)) this.emit(e);
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w.resolve();
    }
  }

  /** Watches, resuming after normal closes, until a relist is needed or the informer stops. */
  private async watchUntilBroken(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const startedAt = Date.now();
      let events = 0;
      const end = await startWatch(this.kc, {
        path: this.options.path,
        resourceVersion: this.resourceVersion,
        labelSelector: this.options.labelSelector,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
        signal,
        onEvent: (e) => {
          // A stream that delivers is healthy: later failures start from the initial backoff.
          if (events++ === 0) this.backoff.reset();
          this.apply(e);
        },
      });
      switch (end.kind) {
        case 'aborted':
          return;
        case 'gone':
          return; // relist at once: the version expired, nothing is wrong with the server
        case 'error':
          this.backoff.fail();
          this.onError(end.error);
          return;
        case 'closed':
          // A server that closes every watch at once must not make us spin.
          if (events === 0 && Date.now() - startedAt < 1000) await sleep(this.backoff.fail(), signal);
          break;
      }
    }
  }

  private apply(e: WatchEvent): void {
    if (e.type === 'BOOKMARK') {
      this.resourceVersion = e.resourceVersion;
      return;
    }
    const obj = e.object as T;
    const event = e.type === 'DELETED' ? this.store.remove(obj) : this.store.upsert(obj);
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (event) this.emit(event);
  }

  private resync(): void {
    if (!this.synced || this.stopper.signal.aborted) return;
    for (const obj of this.store.list()) this.emit({ type: 'update', old: obj, obj });
  }

  private emit(e: StoreEvent<T>): void {
    for (const h of this.handlers) {
      this.call(() => {
        if (e.type === 'add') h.add?.(e.obj);
        else if (e.type === 'update') h.update?.(e.old, e.obj);
        else h.delete?.(e.obj);
      });
    }
  }

  /** A failing handler must not stop the informer or the other handlers; its error is reported. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err);
    }
  }
}
