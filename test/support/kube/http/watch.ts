// Watch streams: newline-delimited JSON events from a resourceVersion, synthetic ADDED
// events for "from now" watches, 410 Expired for compacted versions, selector transitions
// (an object leaving the selection is DELETED for that watcher), bookmarks and timeouts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ctx } from '../api/context.ts';
import { present, storageKey } from '../api/context.ts';
import { gone } from '../errors.ts';
import { checkFieldSelector } from '../resources/field-labels.ts';
import type { ResourceType } from '../resources/types.ts';
import { groupVersion } from '../resources/types.ts';
import type { Matcher } from '../store/selectors.ts';
import { fieldSelector, labelSelector } from '../store/selectors.ts';
import type { StoreEvent } from '../store/store.ts';
import type { JsonObject, KubeObject } from '../types.ts';

export interface WatchParams {
  rt: ResourceType;
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** How an object goes out (default: as the requested version); `first` is true for the stream's first one. */
  transform?: (obj: KubeObject, first: boolean) => JsonObject;
}

interface ActiveWatch {
  path: string;
  res: ServerResponse;
  stop: () => void;
}

/** Open watch streams, so faults can cut them and the server can close them on shutdown. */
export class WatchHub {
  readonly active = new Set<ActiveWatch>();
  bookmarkIntervalMs = 60_000;
  /** Watches answered 410 Expired: their resourceVersion was compacted away. */
  expired = 0;

  /** Ends matching streams: gracefully (as a server timeout does) or by resetting the connection. */
  cut(pathIncludes?: string, abrupt = false): number {
    let n = 0;
    for (const w of [...this.active]) {
      if (pathIncludes && !w.path.includes(pathIncludes)) continue;
      n++;
      w.stop();
      if (abrupt) w.res.destroy();
      else w.res.end();
    }
    return n;
  }
}

export function serveWatch(ctx: Ctx, hub: WatchHub, req: IncomingMessage, res: ServerResponse, p: WatchParams): void {
  const key = storageKey(p.rt);
  checkFieldSelector(p.rt, p.fieldSelector, p.rt.selectableFields);
  const lsel = labelSelector(p.labelSelector);
  const fsel = fieldSelector(p.fieldSelector);
  const matches: Matcher = (o) => (p.namespace === undefined || (o.metadata.namespace ?? '') === p.namespace) && lsel(o) && fsel(o);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  // Clients wait for the response head before anything happens; send it now.
  res.flushHeaders();
  const send = (type: string, object: JsonObject): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  let sentObjects = 0;
  const out = (obj: KubeObject): JsonObject => {
    const shown = present(obj, p.rt);
    return p.transform ? p.transform(shown, sentObjects++ === 0) : shown;
  };
  const sendEvent = (e: StoreEvent): void => {
    const now = matches(e.object);
    const before = e.prev ? matches(e.prev) : false;
    if (e.type === 'MODIFIED' && now && !before) send('ADDED', out(e.object));
    else if (e.type === 'MODIFIED' && !now && before) send('DELETED', out(e.object));
    else if (now) send(e.type, out(e.object));
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: JsonObject = { resourceVersion: String(ctx.store.currentRv()) };
    if (annotations) metadata.annotations = annotations;
    send('BOOKMARK', { kind: p.rt.kind, apiVersion: groupVersion(p.rt), metadata });
  };

  const rv = p.resourceVersion;
  const fromNow = rv === undefined || rv === '' || rv === '0';
  if (fromNow || p.sendInitialEvents === true) {
    if (p.sendInitialEvents !== false) {
      for (const o of ctx.store.list(key, p.rt.namespaced ? p.namespace : undefined)) if (matches(o)) send('ADDED', out(o));
    }
    if (p.sendInitialEvents && p.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const n = Number(rv);
    const replay = Number.isFinite(n) ? ctx.store.history.since(n, key) : undefined;
    if (!replay) {
      const status = gone(`too old resource version: ${rv} (${ctx.store.history.compactedThrough + 1})`).toStatus();
      hub.expired++;
      send('ERROR', status);
      res.end();
      return;
    }
    for (const e of replay) sendEvent(e);
  }

  const unsubscribe = ctx.store.subscribe((e) => {
    if (e.key === key) sendEvent(e);
  });
  const timers: NodeJS.Timeout[] = [];
  if (p.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), hub.bookmarkIntervalMs));
  const watch: ActiveWatch = {
    path: req.url ?? '',
    res,
    stop: () => {
      unsubscribe();
      for (const t of timers) clearInterval(t);
      hub.active.delete(watch);
    },
  };
  if (p.timeoutSeconds && p.timeoutSeconds > 0) {
    timers.push(setTimeout(() => {
      watch.stop();
      res.end();
    }, p.timeoutSeconds * 1000));
  }
  hub.active.add(watch);
  res.on('close', watch.stop);
}
