import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countExecutionStates, vertexExecutionState } from './execution-state.ts';

test('counts have every state, lower-case, as Flink REST does', () => {
  assert.deepEqual(countExecutionStates(['RUNNING', 'SCHEDULED', 'RUNNING']), {
    created: 0, scheduled: 1, deploying: 0, running: 2, finished: 0, canceling: 0, canceled: 0, failed: 0, reconciling: 0, initializing: 0,
  });
});

test('a vertex shows the state its subtasks share, else the first of Flink\'s order one has', () => {
  assert.equal(vertexExecutionState(['SCHEDULED', 'SCHEDULED']), 'SCHEDULED');
  assert.equal(vertexExecutionState(['RUNNING', 'DEPLOYING']), 'RUNNING');
  assert.equal(vertexExecutionState(['RUNNING', 'INITIALIZING']), 'INITIALIZING');
  assert.equal(vertexExecutionState(['FINISHED', 'CANCELED', 'FAILED']), 'FAILED');
  assert.equal(vertexExecutionState(['DEPLOYING', 'CREATED']), 'CREATED');
  assert.equal(vertexExecutionState([]), 'CREATED');
});
