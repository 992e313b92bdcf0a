import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectStore, objectKey } from './object-store.ts';
import type { KubeObjectLike, StoreEvent } from './object-store.ts';

const obj = (name: string, rv: string, namespace = 'ns'): KubeObjectLike => ({ metadata: { name, namespace, resourceVersion: rv } });
const describeEvent = (e: StoreEvent<KubeObjectLike> | undefined): string =>
  e === undefined ? 'none' : `${e.type} ${objectKey(e.obj)}@${e.obj.metadata?.resourceVersion}`;

describe('ObjectStore', () => {
  it('keys by namespace/name, or name when cluster-scoped', () => {
    assert.equal(objectKey(obj('a', '1')), 'ns/a');
    assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
  });

  it('turns watch events into add/update/delete, ignoring replays and unknown deletes', () => {
    const s = new ObjectStore<KubeObjectLike>();
    assert.equal(describeEvent(s.upsert(obj('a', '1'))), 'add ns/a@1');
    assert.equal(describeEvent(s.upsert(obj('a', '1'))), 'none');
    const update = s.upsert(obj('a', '2'));
    assert.equal(describeEvent(update), 'update ns/a@2');
    assert.equal(update?.type === 'update' ? update.old.metadata?.resourceVersion : '', '1');
    assert.equal(describeEvent(s.remove(obj('a', '3'))), 'delete ns/a@3');
    assert.equal(describeEvent(s.remove(obj('a', '3'))), 'none');
    assert.equal(s.size(), 0);
  });

  it('a relist adds, updates and deletes what changed while disconnected', () => {
    const s = new ObjectStore<KubeObjectLike>();
    s.replace([obj('keep', '1'), obj('change', '1'), obj('gone', '1')]);
    const events = s.replace([obj('keep', '1'), obj('change', '5'), obj('new', '6')]).map(describeEvent);
    assert.deepEqual(events, ['update ns/change@5', 'add ns/new@6', 'delete ns/gone@1']);
    assert.deepEqual(s.list().map(objectKey).sort(), ['ns/change', 'ns/keep', 'ns/new']);
  });
});
