/**
 * One watch request as a promise of how it ended. client-node's Watch reports the end
 * through a callback and only hands out its AbortController once the response head has
 * arrived; this wrapper turns that into one settled outcome and makes sure the request is
 * aborted however the watch ends, so nothing is left open.
 */
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: unknown }
  | { type: 'BOOKMARK'; resourceVersion: string };

export type WatchEnd =
  /** The server ended the stream normally (timeout, restart): resume from the last version. */
  | { kind: 'closed' }
  /** 410 Gone: the version is too old to resume from; relist. */
  | { kind: 'gone' }
  /** The request failed, the connection broke or the server sent an ERROR event. */
  | { kind: 'error'; error: unknown }
  /** The caller's signal aborted it. */
  | { kind: 'aborted' };

export interface WatchRequest {
  path: string;
  resourceVersion: string;
  labelSelector?: string;
  timeoutSeconds?: number;
  signal: AbortSignal;
  onEvent: (event: WatchEvent) => void;
}

/** Runs one watch until it ends; the promise settles after its request has been aborted. */
export function startWatch(kc: KubeConfig, req: WatchRequest): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve) => {
    let result: WatchEnd | undefined;
    let controller: AbortController | undefined;
    let opened = false;
    const finish = (end: WatchEnd): void => {
      if (result) return;
      result = end;
      req.signal.removeEventListener('abort', onAbort);
      controller?.abort();
      // Until the response head arrives client-node holds the controller; settle once it does.
      if (opened) resolve(end);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    if (req.signal.aborted) {
      resolve({ kind: 'aborted' });
      return;
    }
    req.signal.addEventListener('abort', onAbort, { once: true });
    const query = {
      resourceVersion: req.resourceVersion,
      allowWatchBookmarks: true,
      labelSelector: req.labelSelector,
      timeoutSeconds: req.timeoutSeconds,
    };
    new Watch(kc)
      .watch(req.path, query, (phase: string, obj: unknown) => {
        if (result) return;
        // client-node calls this inside a try that drops errors as JSON parse failures, so
        // a failing handler must end the watch here or the error would vanish.
        try {
          const end = handleEvent(phase, obj, req.onEvent);
          if (end) finish(end);
        } catch (err) {
          finish({ kind: 'error', error: err });
        }
      }, (err: unknown) => finish(err ? { kind: 'error', error: err } : { kind: 'closed' }))
      .then((c) => {
        controller = c;
        opened = true;
        if (result) {
          c.abort();
          resolve(result);
        }
      }, (err: unknown) => {
        opened = true;
        finish({ kind: 'error', error: err });
        resolve(result!);
      });
  });
}

/** Applies one decoded event; returns how the watch ends if the event ends it. */
function handleEvent(phase: string, obj: unknown, onEvent: (event: WatchEvent) => void): WatchEnd | undefined {
  switch (phase) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      onEvent({ type: phase, object: obj });
      return undefined;
    case 'BOOKMARK': {
      const rv = (obj as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
      if (typeof rv === 'string') onEvent({ type: 'BOOKMARK', resourceVersion: rv });
      return undefined;
    }
    case 'ERROR': {
      const status = obj as { code?: unknown; message?: unknown } | undefined;
      if (status?.code === 410) return { kind: 'gone' };
      return { kind: 'error', error: new Error(`watch ERROR event: ${typeof status?.message === 'string' ? status.message : JSON.stringify(obj)}`) };
    }
    default:
      return { kind: 'error', error: new Error(`unknown watch event type ${phase}`) };
  }
}
