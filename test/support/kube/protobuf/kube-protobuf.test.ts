import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKubeProtobuf } from './kube-protobuf.ts';

// A minimal protobuf writer, to build what Go's generated marshalers send.
const varint = (n: number): Buffer => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
};
const field = (n: number, payload: Buffer | string): Buffer => {
  const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((n << 3) | 2), varint(bytes.length), bytes]);
};
const number = (n: number, v: number): Buffer => Buffer.concat([varint(n << 3), varint(v)]);
const entry = (n: number, k: string, v: Buffer | string): Buffer => field(n, Buffer.concat([field(1, k), field(2, v)]));
const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
  Buffer.concat([Buffer.from('k8s\0', 'binary'), field(1, Buffer.concat([field(1, apiVersion), field(2, kind)])), field(2, raw), field(3, ''), field(4, '')]);

test('a Secret as helm sends it: the envelope, ObjectMeta with Go\'s empty fields, bytes data base64', () => {
  const meta = Buffer.concat([
    field(1, 'sh.helm.release.v1.weir.v1'), field(2, ''), field(3, ''), field(5, ''), field(6, ''), number(7, 0), field(8, Buffer.alloc(0)),
    entry(11, 'owner', 'helm'), entry(11, 'status', 'pending-install'),
  ]);
  const secret = Buffer.concat([field(1, meta), entry(2, 'release', Buffer.from([0x1f, 0x8b, 0x08])), field(3, 'helm.sh/release.v1')]);
  assert.deepEqual(decodeKubeProtobuf(envelope('v1', 'Secret', secret)), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'sh.helm.release.v1.weir.v1', labels: { owner: 'helm', status: 'pending-install' } },
    data: { release: 'H4sI' },
    type: 'helm.sh/release.v1',
  });
});

test('DeleteOptions, a creation time, and a kind it cannot read (415)', () => {
  const options = Buffer.concat([number(1, 0), field(2, Buffer.concat([field(1, 'uid-1'), field(2, '')])), field(4, 'Foreground')]);
  assert.deepEqual(decodeKubeProtobuf(envelope('v1', 'DeleteOptions', options)), { preconditions: { uid: 'uid-1' }, propagationPolicy: 'Foreground' });
  const cm = field(1, Buffer.concat([field(1, 'c'), field(8, number(1, 1_700_000_000))]));
  assert.deepEqual(decodeKubeProtobuf(envelope('v1', 'ConfigMap', cm)).metadata, { name: 'c', creationTimestamp: '2023-11-14T22:13:20Z' });
  assert.throws(() => decodeKubeProtobuf(envelope('apps/v1', 'Deployment', Buffer.alloc(0))), { code: 415, reason: 'UnsupportedMediaType' });
  assert.throws(() => decodeKubeProtobuf(Buffer.from('{"kind":"Secret"}')), { code: 415 });
});
