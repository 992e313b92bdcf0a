import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { installRequestQueueFix } from './request-queue-fix.ts';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (o: object) => Queue;
const logger = { debug() {}, info() {}, warn() {}, error() {}, namespace: () => logger };
const queue = (): Queue => new RequestQueue({ instrumentationEmitter: null, maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: '127.0.0.1:9092', logger, isConnected: () => true });

test('an idle connection schedules no check of its empty queue; a throttled or waiting one still does', (t) => {
  assert.equal(installRequestQueueFix(), true, "kafkajs' request queue has the shape the fix expects");
  assert.equal(installRequestQueueFix(), true, 'installing twice is harmless');

  const idle = queue();
  t.after(() => idle.destroy());
  idle.scheduleCheckPendingRequests();
  assert.equal(idle.throttleCheckTimeoutId, null, 'nothing pending, no throttle: no 1 ms timer');

  const throttled = queue();
  t.after(() => throttled.destroy());
  throttled.throttledUntil = Date.now() + 60_000;
  throttled.scheduleCheckPendingRequests();
  assert.notEqual(throttled.throttleCheckTimeoutId, null, 'a throttle still gets its check');

  const waiting = queue();
  t.after(() => waiting.destroy());
  waiting.pending.push({});
  waiting.scheduleCheckPendingRequests();
  assert.notEqual(waiting.throttleCheckTimeoutId, null, 'a pending request still gets its check');
});
