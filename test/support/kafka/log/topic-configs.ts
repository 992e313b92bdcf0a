// Topic-level configs as Kafka's LogConfig knows them: names, defaults (Kafka 3.1) and the
// values the broker itself acts on (compression.type, message.timestamp.type,
// max.message.bytes). Unknown names are refused as Kafka refuses them.

/** Kafka's ConfigType in DescribeConfigs v3+. */
export const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, DOUBLE: 6, LIST: 7 } as const;

interface ConfigDef {
  value: string;
  type: number;
  valid?: readonly string[];
}

const { BOOLEAN, STRING, INT, LONG, DOUBLE, LIST } = ConfigType;

export const TOPIC_CONFIG_DEFAULTS: ReadonlyMap<string, ConfigDef> = new Map<string, ConfigDef>([
  ['cleanup.policy', { value: 'delete', type: LIST, valid: ['delete', 'compact', 'compact,delete', 'delete,compact'] }],
  ['compression.type', { value: 'producer', type: STRING, valid: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] }],
  ['delete.retention.ms', { value: '86400000', type: LONG }],
  ['file.delete.delay.ms', { value: '60000', type: LONG }],
  ['flush.messages', { value: '9223372036854775807', type: LONG }],
  ['flush.ms', { value: '9223372036854775807', type: LONG }],
  ['follower.replication.throttled.replicas', { value: '', type: LIST }],
  ['index.interval.bytes', { value: '4096', type: INT }],
  ['leader.replication.throttled.replicas', { value: '', type: LIST }],
  ['max.compaction.lag.ms', { value: '9223372036854775807', type: LONG }],
  ['max.message.bytes', { value: '1048588', type: INT }],
  ['message.downconversion.enable', { value: 'true', type: BOOLEAN }],
  ['message.format.version', { value: '3.0-IV1', type: STRING }],
  ['message.timestamp.difference.max.ms', { value: '9223372036854775807', type: LONG }],
  ['message.timestamp.type', { value: 'CreateTime', type: STRING, valid: ['CreateTime', 'LogAppendTime'] }],
  ['min.cleanable.dirty.ratio', { value: '0.5', type: DOUBLE }],
  ['min.compaction.lag.ms', { value: '0', type: LONG }],
  ['min.insync.replicas', { value: '1', type: INT }],
  ['preallocate', { value: 'false', type: BOOLEAN }],
  ['retention.bytes', { value: '-1', type: LONG }],
  ['retention.ms', { value: '604800000', type: LONG }],
  ['segment.bytes', { value: '1073741824', type: INT }],
  ['segment.index.bytes', { value: '10485760', type: INT }],
  ['segment.jitter.ms', { value: '0', type: LONG }],
  ['segment.ms', { value: '604800000', type: LONG }],
  ['unclean.leader.election.enable', { value: 'false', type: BOOLEAN }],
]);

/** Why a topic config cannot be set, or null when it can. */
export function invalidTopicConfig(name: string, value: string | null): string | null {
  const def = TOPIC_CONFIG_DEFAULTS.get(name);
  if (def === undefined) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  if (def.valid !== undefined && !def.valid.includes(value)) return `Invalid value ${value} for configuration ${name}: String must be one of: ${def.valid.join(', ')}`;
  if ((def.type === INT || def.type === LONG) && !/^-?\d+$/.test(value)) return `Invalid value ${value} for configuration ${name}: Not a number of type ${def.type === INT ? 'INT' : 'LONG'}`;
  return null;
}
