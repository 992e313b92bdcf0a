import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigFile } from './config-file.ts';
import { WeirError } from '../../errors/index.ts';

test('config file: plain and JSON-quoted values, comments and blank lines', () => {
  const text = '# written by the operator\ntaskmanager.numberOfTaskSlots: "2"\n\nheartbeat.timeout: 10s\nweird: "a: \\"b\\""\n';
  assert.deepEqual(parseConfigFile(text, 'config.yaml'), { 'taskmanager.numberOfTaskSlots': '2', 'heartbeat.timeout': '10s', weird: 'a: "b"' });
});

test('config file: a line without a key names the file and line', () => {
  assert.throws(
    () => parseConfigFile('a: 1\nnot a setting\n', '/opt/weir/conf/config.yaml'),
    (err: unknown) => err instanceof WeirError && err.code === 'INVALID_CONFIGURATION' && err.message === '/opt/weir/conf/config.yaml line 2: "not a setting" is not "key: value"',
  );
});
