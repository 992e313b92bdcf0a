import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanDuration } from './human-duration.ts';
import { findResults } from './jsonpath.ts';

const SDEP = {
  spec: { job: { parallelism: 3 } },
  status: { conditions: [{ type: 'Degraded', status: 'True', reason: 'ValidationError' }, { type: 'Ready', status: 'False' }], 'a.b': 1 },
};

test('printer-column JSONPath: fields, filters, indexes, wildcards and quoted keys', () => {
  assert.deepEqual(findResults(SDEP, '.spec.job.parallelism'), [3]);
  assert.deepEqual(findResults(SDEP, '.status.conditions[?(@.type=="Degraded")].reason'), ['ValidationError']);
  assert.deepEqual(findResults(SDEP, ".status.conditions[?(@.type!='Degraded')].status"), ['False']);
  assert.deepEqual(findResults(SDEP, '.status.conditions[1].type'), ['Ready']);
  assert.deepEqual(findResults(SDEP, '.status.conditions[-1].type'), ['Ready']);
  assert.deepEqual(findResults(SDEP, '.status.conditions[*].type'), ['Degraded', 'Ready']);
  assert.deepEqual(findResults(SDEP, "{.status['a.b']}"), [1]);
  assert.deepEqual(findResults(SDEP, '.status.job.state'), []);
});

test('ages read as kubectl prints them (duration.HumanDuration)', () => {
  const s = 1000;
  assert.deepEqual(
    [-5 * s, 0, 59 * s, 119 * s, 125 * s, 600 * s, 179 * 60 * s, (3 * 3600 + 5 * 60) * s, 30 * 3600 * s, 49 * 3600 * s, 9 * 86_400 * s, 800 * 86_400 * s, 3000 * 86_400 * s].map(humanDuration),
    ['<invalid>', '0s', '59s', '119s', '2m5s', '10m', '179m', '3h5m', '30h', '2d1h', '9d', '2y70d', '8y'],
  );
});
