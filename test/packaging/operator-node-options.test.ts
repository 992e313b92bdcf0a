// The operator image runs with the Node options the operator benchmark measures it with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPERATOR_NODE_OPTIONS } from '../../src/kube-operator/node-options.ts';

test('the operator image sets NODE_OPTIONS to what src/kube-operator/node-options.ts says', () => {
  const env = readFileSync('images/operator.Dockerfile', 'utf8')
    .split('\n')
    .filter((l) => /^ENV NODE_OPTIONS=/.test(l));
  assert.deepEqual(env, [`ENV NODE_OPTIONS=${OPERATOR_NODE_OPTIONS}`]);
});
