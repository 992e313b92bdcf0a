/**
 * config.yaml as Flink 1.19+ reads it: standard YAML 1.2 (core schema) whose nested maps
 * flatten to dotted keys, so `taskmanager: {numberOfTaskSlots: 2}` and
 * `taskmanager.numberOfTaskSlots: 2` are one setting. Values become the strings the runtime
 * reads: strings as they are, numbers and booleans in canonical form (`0x10` is "16", `True`
 * is "true"), lists as YAML flow text (`[a, '1']`), as Flink's loader does. A setting given
 * twice, a key without a value and text that is not YAML are refused with the file and line.
 * Messages name keys and lines but never values, which may be secrets.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import type { Document, Node, ParsedNode, YAMLMap } from 'yaml';
import { WeirError } from '../../errors/index.ts';

/** More aliases than any sensible configuration uses; bounds "billion laughs" files. */
const MAX_ALIASES = 100;

const FIX_SYNTAX = 'write settings as "key: value" lines or as maps nested by indentation, and quote values that contain ": " or " #"';

interface Walk {
  readonly doc: Document.Parsed;
  readonly source: string;
  readonly lines: LineCounter;
  /** Flat key -> line it was set on. */
  readonly setOn: Map<string, number>;
  readonly config: Record<string, string>;
  readonly open: Set<Node>;
  aliases: number;
}

export function parseConfigYaml(text: string, source: string): Record<string, string> {
  const lines = new LineCounter();
  // Map keys are checked below, where the message can name the flat key and both lines.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, intAsBigInt: true, resolveKnownTags: false, schema: 'core', version: '1.2' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const { line, col } = lines.linePos(problem.pos[0]);
    // The parser's own words, except where they name its API.
    const what = problem.code === 'MULTIPLE_DOCS' ? 'a second document starts here ("---")' : problem.message;
    throw invalid(`${source} line ${line}, column ${col}: not valid YAML (${what}); ${FIX_SYNTAX}`);
  }
  // A %YAML 1.1 directive would turn on/off/yes/no into booleans; Flink reads 1.2 only.
  if (doc.directives.yaml.version !== '1.2') throw invalid(`${source}: is marked %YAML ${doc.directives.yaml.version}; configuration is read as YAML 1.2, remove the %YAML line`);
  const walk: Walk = { doc, source, lines, setOn: new Map(), config: {}, open: new Set(), aliases: 0 };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return walk.config;
  const top = resolve(walk, root);
  if (!isMap(top)) throw invalid(`${source} line ${lineOf(walk, root)}: the file must be a map of settings ("key: value" lines), not a ${isSeq(top) ? 'list' : 'single value'}`);
  flattenMap(walk, top, '');
  return walk.config;
}

function flattenMap(walk: Walk, map: YAMLMap, prefix: string): void {
  walk.open.add(map);
  const keysHere = new Map<string, number>();
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const line = keyNode ? lineOf(walk, keyNode) : lineOf(walk, map);
    const key = keyText(walk, keyNode, line, prefix);
    const full = prefix === '' ? key : `${prefix}.${key}`;
    const earlier = keysHere.get(key);
    if (earlier !== undefined) throw invalid(`${walk.source} line ${line}: "${full}" is set twice in the same map (also on line ${earlier}); keep one`);
    keysHere.set(key, line);
    const valueNode = pair.value as Node | null;
    const value = valueNode === null ? null : resolve(walk, valueNode);
    if (isMap(value)) {
      if (walk.open.has(value)) throw invalid(`${walk.source} line ${line}: "${full}" refers to a map that contains it; remove the circular alias`);
      flattenMap(walk, value, full);
    } else {
      setLeaf(walk, full, value, line);
    }
  }
  walk.open.delete(map);
}

function setLeaf(walk: Walk, key: string, value: Node | null, line: number): void {
  const earlier = walk.setOn.get(key);
  if (earlier !== undefined) {
    throw invalid(`${walk.source} line ${line}: "${key}" is already set on line ${earlier} (a nested map and a dotted key name the same setting); keep one`);
  }
  walk.setOn.set(key, line);
  walk.config[key] = leafText(walk, key, value, line);
}

function leafText(walk: Walk, key: string, value: Node | null, line: number): string {
  if (value === null || (isScalar(value) && value.value === null)) {
    throw invalid(`${walk.source} line ${line}: "${key}" has no value; give it one, or write "" for an empty string`);
  }
  if (isScalar(value)) return scalarText(value.value);
  // Lists stay one setting, written back as flow YAML the way Flink stores them.
  const js: unknown = value.toJS(walk.doc, { maxAliasCount: MAX_ALIASES });
  return stringify(js, { collectionStyle: 'flow', flowCollectionPadding: false, singleQuote: true, lineWidth: 0 }).trimEnd();
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  // The core schema has no other scalar types, and tags outside it were refused above.
  throw new WeirError('INTERNAL', `unexpected YAML scalar of type ${typeof value}`, false);
}

function keyText(walk: Walk, keyNode: Node | null, line: number, prefix: string): string {
  const where = prefix === '' ? 'at the top level' : `under "${prefix}"`;
  const key = keyNode === null ? null : resolve(walk, keyNode);
  if (key === null || !isScalar(key) || key.value === null || key.value === '') {
    throw invalid(`${walk.source} line ${line}: a setting ${where} has ${key !== null && !isScalar(key) ? 'a list or map as its key' : 'no key'}; keys are names like taskmanager.numberOfTaskSlots`);
  }
  return scalarText(key.value);
}

function resolve(walk: Walk, node: Node): Node {
  if (!isAlias(node)) return node;
  if (++walk.aliases > MAX_ALIASES) throw invalid(`${walk.source} line ${lineOf(walk, node)}: more than ${MAX_ALIASES} aliases; write the settings out`);
  const target = node.resolve(walk.doc);
  if (target === undefined) throw invalid(`${walk.source} line ${lineOf(walk, node)}: the alias *${node.source} has no anchor &${node.source} before it`);
  return target;
}

function lineOf(walk: Walk, node: Node): number {
  const start = (node as ParsedNode).range[0];
  return walk.lines.linePos(start).line;
}

function invalid(message: string): WeirError {
  return new WeirError('INVALID_CONFIGURATION', message, false);
}
