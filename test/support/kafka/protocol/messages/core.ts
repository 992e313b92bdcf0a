// ApiVersions, Metadata and DescribeConfigs request/response layouts (Kafka's
// ApiVersions*, Metadata*, DescribeConfigs* message definitions, within the served range).
import { f, struct, t } from '../schema.ts';

export const ApiVersionsRequest = struct({
  clientSoftwareName: f.string('3+'),
  clientSoftwareVersion: f.string('3+'),
});

export const ApiVersionsResponse = struct({
  errorCode: f.int16('0+'),
  apiKeys: f.array('0+', struct({ apiKey: f.int16('0+'), minVersion: f.int16('0+'), maxVersion: f.int16('0+') })),
  throttleTimeMs: f.int32('1+'),
});

export const MetadataRequest = struct({
  topics: f.nullableArray('0+', struct({ topicId: f.uuid('10+'), name: f.nullableString('0+', '10+') }), '1+'),
  allowAutoTopicCreation: f.bool('4+', true),
  includeClusterAuthorizedOperations: f.bool('8-10'),
  includeTopicAuthorizedOperations: f.bool('8+'),
});

export const MetadataResponse = struct({
  throttleTimeMs: f.int32('3+'),
  brokers: f.array('0+', struct({ nodeId: f.int32('0+'), host: f.string('0+'), port: f.int32('0+'), rack: f.nullableString('1+') })),
  clusterId: f.nullableString('2+'),
  controllerId: f.int32('1+'),
  topics: f.array(
    '0+',
    struct({
      errorCode: f.int16('0+'),
      name: f.nullableString('0+', '12+'),
      topicId: f.uuid('10+'),
      isInternal: f.bool('1+'),
      partitions: f.array(
        '0+',
        struct({
          errorCode: f.int16('0+'),
          partitionIndex: f.int32('0+'),
          leaderId: f.int32('0+'),
          leaderEpoch: f.int32('7+'),
          replicaNodes: f.array('0+', t.int32),
          isrNodes: f.array('0+', t.int32),
          offlineReplicas: f.array('5+', t.int32),
        }),
      ),
      topicAuthorizedOperations: f.int32('8+'),
    }),
  ),
  clusterAuthorizedOperations: f.int32('8-10'),
});

export const DescribeConfigsRequest = struct({
  resources: f.array(
    '0+',
    struct({ resourceType: f.int8('0+'), resourceName: f.string('0+'), configurationKeys: f.nullableArray('0+', t.string) }),
  ),
  includeSynonyms: f.bool('1+'),
  includeDocumentation: f.bool('3+'),
});

export const DescribeConfigsResponse = struct({
  throttleTimeMs: f.int32('0+'),
  results: f.array(
    '0+',
    struct({
      errorCode: f.int16('0+'),
      errorMessage: f.nullableString('0+'),
      resourceType: f.int8('0+'),
      resourceName: f.string('0+'),
      configs: f.array(
        '0+',
        struct({
          name: f.string('0+'),
          value: f.nullableString('0+'),
          readOnly: f.bool('0+'),
          isDefault: f.bool('0'),
          configSource: f.int8('1+'),
          isSensitive: f.bool('0+'),
          synonyms: f.array('1+', struct({ name: f.string('1+'), value: f.nullableString('1+'), source: f.int8('1+') })),
          configType: f.int8('3+'),
          documentation: f.nullableString('3+'),
        }),
      ),
    }),
  ),
});
