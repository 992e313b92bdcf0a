import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskManagerRegistry } from './task-manager-registry.ts';

const tm = { id: 'tm-1', slots: 2, data: { host: '127.0.0.1', port: 1 } };

test('a TaskManager lost or registering again: attempts hear why; a first registration is no loss', () => {
  const registry = new TaskManagerRegistry(100, 1000);
  const lost: [string, string][] = [];
  registry.listen({ onReport: () => undefined, onLost: (id, why) => lost.push([id, why]) });
  registry.register(tm, 0);
  assert.deepEqual(lost, []);
  // It cancelled what it ran (it was told it is unknown) and drops its reports of it: attempts on it must fail.
  registry.register(tm, 10);
  assert.deepEqual(lost, [['tm-1', 'it registered again, so what it ran before is gone']]);
  assert.deepEqual(registry.expire(2000), ['tm-1']);
  assert.deepEqual(lost.at(-1), ['tm-1', 'it stopped sending heartbeats for more than 1000ms']);
  registry.register(tm, 3000);
  assert.equal(registry.disconnect('tm-1'), true);
  assert.deepEqual(lost.at(-1), ['tm-1', 'it disconnected (it is stopping)']);
  assert.equal(lost.length, 3);
});
