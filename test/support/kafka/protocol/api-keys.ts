// The APIs this broker implements, the version range it serves of each, and where the
// flexible (tagged-field) encoding starts. Maxima are those of Apache Kafka 3.1; minima are
// the oldest versions Kafka 4.0 still accepts (KIP-896), see the README for why.

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  DescribeConfigs: 32,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const;

export type ApiName = keyof typeof ApiKey;

export interface VersionRange {
  min: number;
  max: number;
  /** First flexible version (compact strings and arrays, tagged fields). */
  flexibleFrom: number;
}

export const API_VERSIONS: Readonly<Record<ApiName, VersionRange>> = {
  Produce: { min: 3, max: 9, flexibleFrom: 9 },
  Fetch: { min: 4, max: 13, flexibleFrom: 12 },
  ListOffsets: { min: 1, max: 7, flexibleFrom: 6 },
  Metadata: { min: 1, max: 12, flexibleFrom: 9 },
  OffsetCommit: { min: 2, max: 8, flexibleFrom: 8 },
  OffsetFetch: { min: 1, max: 8, flexibleFrom: 6 },
  FindCoordinator: { min: 1, max: 4, flexibleFrom: 3 },
  JoinGroup: { min: 1, max: 7, flexibleFrom: 6 },
  Heartbeat: { min: 1, max: 4, flexibleFrom: 4 },
  LeaveGroup: { min: 1, max: 4, flexibleFrom: 4 },
  SyncGroup: { min: 1, max: 5, flexibleFrom: 4 },
  DescribeGroups: { min: 0, max: 5, flexibleFrom: 5 },
  ListGroups: { min: 0, max: 4, flexibleFrom: 3 },
  // Never flexible; Kafka 4.0 still serves v0, after which the client sends raw SASL tokens.
  SaslHandshake: { min: 0, max: 1, flexibleFrom: Number.POSITIVE_INFINITY },
  ApiVersions: { min: 0, max: 3, flexibleFrom: 3 },
  CreateTopics: { min: 2, max: 7, flexibleFrom: 5 },
  DeleteTopics: { min: 1, max: 6, flexibleFrom: 4 },
  InitProducerId: { min: 0, max: 4, flexibleFrom: 2 },
  AddPartitionsToTxn: { min: 0, max: 3, flexibleFrom: 3 },
  AddOffsetsToTxn: { min: 0, max: 3, flexibleFrom: 3 },
  EndTxn: { min: 0, max: 3, flexibleFrom: 3 },
  TxnOffsetCommit: { min: 0, max: 3, flexibleFrom: 3 },
  DescribeConfigs: { min: 1, max: 4, flexibleFrom: 4 },
  SaslAuthenticate: { min: 0, max: 2, flexibleFrom: 2 },
  CreatePartitions: { min: 0, max: 3, flexibleFrom: 2 },
  DeleteGroups: { min: 0, max: 2, flexibleFrom: 2 },
};

const NAMES = new Map<number, ApiName>(Object.entries(ApiKey).map(([name, key]) => [key, name as ApiName]));

export function apiName(key: number): ApiName | undefined {
  return NAMES.get(key);
}

export function isSupported(name: ApiName, version: number): boolean {
  const range = API_VERSIONS[name];
  return version >= range.min && version <= range.max;
}

export function isFlexible(name: ApiName, version: number): boolean {
  return version >= API_VERSIONS[name].flexibleFrom;
}
