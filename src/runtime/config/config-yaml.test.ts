import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigYaml } from './config-yaml.ts';
import { WeirError } from '../../errors/index.ts';

const FILE = '/opt/weir/conf/config.yaml';

function refusal(text: string): string {
  try {
    parseConfigYaml(text, FILE);
  } catch (err) {
    assert.ok(err instanceof WeirError, `not a WeirError: ${String(err)}`);
    assert.equal(err.code, 'INVALID_CONFIGURATION');
    assert.equal(err.retriable, false);
    return err.message;
  }
  assert.fail(`accepted: ${JSON.stringify(text)}`);
}

test('config.yaml: nested maps and dotted keys are the same settings', () => {
  const nested = 'taskmanager:\n  numberOfTaskSlots: 2\nrestart-strategy:\n  type: fixed-delay\n  fixed-delay:\n    attempts: 3\n    delay: 10 s\n';
  const flat = 'taskmanager.numberOfTaskSlots: 2\nrestart-strategy.type: fixed-delay\nrestart-strategy.fixed-delay.attempts: 3\nrestart-strategy.fixed-delay.delay: 10 s\n';
  const expected = {
    'taskmanager.numberOfTaskSlots': '2',
    'restart-strategy.type': 'fixed-delay',
    'restart-strategy.fixed-delay.attempts': '3',
    'restart-strategy.fixed-delay.delay': '10 s',
  };
  assert.deepEqual(parseConfigYaml(nested, FILE), expected);
  assert.deepEqual(parseConfigYaml(flat, FILE), expected);
  assert.deepEqual(parseConfigYaml('taskmanager: {numberOfTaskSlots: 2}\nrestart-strategy: {type: fixed-delay, fixed-delay.attempts: 3, fixed-delay: {delay: 10 s}}\n', FILE), expected);
});

test('config.yaml: the operator\'s JSON-quoted values, plain values, comments and blank lines', () => {
  const text = '# written by the operator\ntaskmanager.numberOfTaskSlots: "2"\n\nheartbeat.timeout: 10s   # ten seconds\nweird: "a: \\"b\\" # c"\nempty: ""\n';
  assert.deepEqual(parseConfigYaml(text, FILE), { 'taskmanager.numberOfTaskSlots': '2', 'heartbeat.timeout': '10s', weird: 'a: "b" # c', empty: '' });
});

test('config.yaml: scalars are read with YAML 1.2\'s core schema, as Flink reads them, and become canonical text', () => {
  const text = 'n:\n  hex: 0x10\n  octal: 0o17\n  leading-zero: 010\n  float: 1.5\n  exp: 1e3\n  inf: .inf\n  big: 12345678901234567890\n  yes: true\n  no: False\n  quoted-true: \'true\'\n  underscores: 1_000\n  on: on\n  y: y\n  sexagesimal: 1:00\n';
  assert.deepEqual(parseConfigYaml(text, FILE), {
    'n.hex': '16',
    'n.octal': '15',
    'n.leading-zero': '10',
    'n.float': '1.5',
    'n.exp': '1000',
    'n.inf': 'Infinity',
    'n.big': '12345678901234567890',
    'n.yes': 'true',
    'n.no': 'false',
    'n.quoted-true': 'true',
    'n.underscores': '1_000',
    'n.on': 'on',
    'n.y': 'y',
    'n.sexagesimal': '1:00',
  });
});

test('config.yaml: a list is one setting, written as YAML flow text with ambiguous items quoted', () => {
  const text = 'pipeline.jars: [a.jar, b.jar]\nblock:\n  - "*"\n  - "123"\n  - \'true\'\n  - 7\nmixed: [x, {k: v}, [1, 2], ~]\nnone: []\n';
  assert.deepEqual(parseConfigYaml(text, FILE), {
    'pipeline.jars': '[a.jar, b.jar]',
    block: "['*', '123', 'true', 7]",
    mixed: '[x, {k: v}, [1, 2], null]',
    none: '[]',
  });
});

test('config.yaml: an empty file, comments only and an empty map set nothing; anchors and aliases resolve', () => {
  assert.deepEqual(parseConfigYaml('', FILE), {});
  assert.deepEqual(parseConfigYaml('# nothing yet\n\n', FILE), {});
  assert.deepEqual(parseConfigYaml('metrics: {}\n', FILE), {});
  assert.deepEqual(parseConfigYaml('defaults: &d {delay: 1 s}\nrestart-strategy:\n  fixed-delay: *d\n', FILE), { 'defaults.delay': '1 s', 'restart-strategy.fixed-delay.delay': '1 s' });
});

test('config.yaml: a setting given nested and flat, or twice in one map, is refused with both lines', () => {
  assert.equal(
    refusal('taskmanager.numberOfTaskSlots: 2\nheartbeat.timeout: 10s\ntaskmanager:\n  numberOfTaskSlots: 3\n'),
    `${FILE} line 4: "taskmanager.numberOfTaskSlots" is already set on line 1 (a nested map and a dotted key name the same setting); keep one`,
  );
  assert.equal(refusal('a: 1\nb: 2\na: 3\n'), `${FILE} line 3: "a" is set twice in the same map (also on line 1); keep one`);
  assert.equal(refusal('state:\n  backend: heap\n  backend:\n    type: rocksdb\n'), `${FILE} line 3: "state.backend" is set twice in the same map (also on line 2); keep one`);
});

test('config.yaml: text that is not YAML is refused with its line and column, without echoing values', () => {
  assert.equal(
    refusal('a: 1\nnot a setting\n'),
    `${FILE} line 2, column 1: not valid YAML (Implicit map keys need to be followed by map values); write settings as "key: value" lines or as maps nested by indentation, and quote values that contain ": " or " #"`,
  );
  const message = refusal('s3.secret-key: abc: secret\n');
  assert.equal(message, `${FILE} line 1, column 16: not valid YAML (Nested mappings are not allowed in compact mappings); write settings as "key: value" lines or as maps nested by indentation, and quote values that contain ": " or " #"`);
  assert.equal(refusal('a:\n  b: 1\n c: 2\n'), `${FILE} line 3, column 1: not valid YAML (All mapping items must start at the same column); write settings as "key: value" lines or as maps nested by indentation, and quote values that contain ": " or " #"`);
  assert.equal(refusal('a: 1\n---\nb: 2\n'), `${FILE} line 2, column 1: not valid YAML (a second document starts here ("---")); write settings as "key: value" lines or as maps nested by indentation, and quote values that contain ": " or " #"`);
});

test('config.yaml: keys without values, odd keys, tags and documents that are not maps are refused', () => {
  assert.equal(refusal('a: 1\nheartbeat.timeout:\n'), `${FILE} line 2: "heartbeat.timeout" has no value; give it one, or write "" for an empty string`);
  assert.equal(refusal('heartbeat:\n  timeout: ~\n'), `${FILE} line 2: "heartbeat.timeout" has no value; give it one, or write "" for an empty string`);
  assert.equal(refusal('"": 1\n'), `${FILE} line 1: a setting at the top level has no key; keys are names like taskmanager.numberOfTaskSlots`);
  assert.equal(refusal('state:\n  ? [a, b]\n  : 1\n'), `${FILE} line 2: a setting under "state" has a list or map as its key; keys are names like taskmanager.numberOfTaskSlots`);
  assert.equal(refusal('- a\n- b\n'), `${FILE} line 1: the file must be a map of settings ("key: value" lines), not a list`);
  assert.equal(refusal('just text\n'), `${FILE} line 1: the file must be a map of settings ("key: value" lines), not a single value`);
  assert.equal(
    refusal('at: !!timestamp 2001-12-15T02:59:43.1Z\n'),
    `${FILE} line 1, column 5: not valid YAML (Unresolved tag: tag:yaml.org,2002:timestamp); write settings as "key: value" lines or as maps nested by indentation, and quote values that contain ": " or " #"`,
  );
  assert.equal(refusal('%YAML 1.1\n---\nenabled: yes\n'), `${FILE}: is marked %YAML 1.1; configuration is read as YAML 1.2, remove the %YAML line`);
  assert.equal(refusal('a: *nowhere\n'), `${FILE} line 1: the alias *nowhere has no anchor &nowhere before it`);
  assert.equal(refusal('a: &loop\n  b: *loop\n'), `${FILE} line 2: "a.b" refers to a map that contains it; remove the circular alias`);
});

test('config.yaml: a file of aliases that would expand without bound is refused', () => {
  const lines = ['l0: &l0 {v: 1}'];
  for (let i = 1; i <= 12; i++) lines.push(`l${i}: &l${i} {a: *l${i - 1}, b: *l${i - 1}}`);
  assert.match(refusal(`${lines.join('\n')}\n`), /^\/opt\/weir\/conf\/config\.yaml line \d+: more than 100 aliases; write the settings out$/);
});
