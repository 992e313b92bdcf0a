import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMetadata, encodeMetadata, sharedFilesOf } from './checkpoint-metadata.ts';
import type { CheckpointMetadata } from './checkpoint-metadata.ts';
import { frameValue } from './storage/framed-value.ts';

const withChains: CheckpointMetadata = {
  jobId: 'j',
  checkpointId: 7,
  timestamp: 1000,
  savepoint: false,
  subtasks: [
    {
      vertexId: 'v',
      subtask: 0,
      parallelism: 1,
      file: undefined,
      stateSize: 500,
      checkpointedSize: 40,
      operators: [{ id: 'op', uid: 'counter', keyGroups: [0, 1, 2], maxParallelism: 4, list: [], union: [] }],
      shared: [
        { name: '5-v-0-aaaa.kgs', checkpointId: 5, size: 300, operators: [{ id: 'op', keyGroups: [0, 1, 2] }] },
        { name: '6-v-0-bbbb.kgs', checkpointId: 6, size: 30, operators: [{ id: 'op', keyGroups: [], deltaKeyGroups: [1] }] },
        { name: '7-v-0-cccc.kgs', checkpointId: 7, size: 40, operators: [{ id: 'op', keyGroups: [], deltaKeyGroups: [1, 2] }] },
      ],
    },
  ],
};

test('_metadata keeps which key groups a shared file holds in full and which as deltas', () => {
  const decoded = decodeMetadata(encodeMetadata(withChains), 'chk-7/_metadata');
  assert.deepEqual(decoded, withChains);
  // Delta files are shared files like the others: reference-counted by name.
  assert.deepEqual([...sharedFilesOf(decoded).keys()], ['5-v-0-aaaa.kgs', '6-v-0-bbbb.kgs', '7-v-0-cccc.kgs']);
});

test('_metadata of format 2 (no delta key groups) is still read', () => {
  const v2 = frameValue('WEIRMETA', [2, 'j', 3, 1000, false, [['v', 0, 1, null, 100, [['op', [0, 1], 4, [], [], null]], [['3-v-0-dddd.kgs', 3, 100, [['op', [0, 1]]]]], 100]]]);
  assert.deepEqual(decodeMetadata(v2, 'chk-3/_metadata').subtasks[0]!.shared, [{ name: '3-v-0-dddd.kgs', checkpointId: 3, size: 100, operators: [{ id: 'op', keyGroups: [0, 1] }] }]);
  const v9 = frameValue('WEIRMETA', [9, 'j', 3, 1000, false, []]);
  assert.throws(() => decodeMetadata(v9, 'chk-3/_metadata'), { code: 'CORRUPT_CHECKPOINT' });
});
