/**
 * A fix for kafkajs 2.2.4's request queue, which the project cannot get upstream (kafkajs has
 * had no release since 2023; kafkajs#1704, #1751). After every response, each connection's
 * queue schedules its next check of pending requests `throttledUntil - now` ms ahead; with
 * nothing pending and no throttle that is a negative delay, which Node runs after 1 ms (and,
 * from Node 24, warns about with TimeoutNegativeWarning), and the check schedules itself
 * again: every open connection polls at 1 kHz for as long as it lives. Measured on the test
 * broker, an idle producer and consumer spend 30-45 ms of CPU per second on it, 5-8 with
 * the fix. The fix skips the check when nothing is pending and nothing throttles: a request
 * that has to wait (in-flight limit or throttle) is queued by `push`, which schedules it, and
 * a response checks the queue at once.
 */
import { createRequire } from 'node:module';

interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
}

interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: RequestQueueState): void;
  weirIdleCheckFix?: true;
}

/** Installs the fix once per process; true when kafkajs' queue has the shape it fixes. */
export function installRequestQueueFix(): boolean {
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueuePrototype };
  const proto = RequestQueue.prototype;
  if (proto.weirIdleCheckFix) return true;
  const original = proto.scheduleCheckPendingRequests;
  if (typeof original !== 'function') return false;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueState) {
    if (this.pending.length === 0 && !(this.throttledUntil > Date.now())) return;
    original.call(this);
  };
  proto.weirIdleCheckFix = true;
  return true;
}
