// DescribeConfigs 1-4 for topics (their own configs and Kafka's defaults) and for this
// broker (the settings the test broker was started with).
import { ErrorCode } from '../protocol/errors.ts';
import { DescribeConfigsRequest, DescribeConfigsResponse } from '../protocol/messages/core.ts';
import type { Infer } from '../protocol/schema.ts';
import { ConfigType, TOPIC_CONFIG_DEFAULTS } from '../log/topic-configs.ts';
import type { BrokerState } from '../broker-state.ts';
import { defineApi } from './context.ts';

type Result = Infer<typeof DescribeConfigsResponse>['results'][number];
type Entry = Result['configs'][number];

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
/** ConfigSource values of DescribeConfigs v1+. */
const Source = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

function entry(name: string, value: string, source: number, type: number, synonyms: boolean): Entry {
  return {
    name,
    value,
    readOnly: source === Source.STATIC_BROKER_CONFIG,
    isDefault: source === Source.DEFAULT_CONFIG,
    configSource: source,
    isSensitive: false,
    synonyms: synonyms ? [{ name, value, source }] : [],
    configType: type,
    documentation: null,
  };
}

function brokerConfigs(state: BrokerState): [string, string, number][] {
  const c = state.config;
  const protocol = c.securityProtocol;
  return [
    // One listener named after its protocol, as Kafka names listeners by default.
    ['listeners', `${protocol}://127.0.0.1:${state.port}`, ConfigType.LIST],
    ['advertised.listeners', `${protocol}://${c.host}:${state.port}`, ConfigType.LIST],
    ['ssl.client.auth', c.clientAuth, ConfigType.STRING],
    ['auto.create.topics.enable', String(c.autoCreateTopics), ConfigType.BOOLEAN],
    ['num.partitions', String(c.defaultPartitions), ConfigType.INT],
    ['message.max.bytes', String(c.maxMessageBytes), ConfigType.INT],
    ['group.initial.rebalance.delay.ms', String(c.initialRebalanceDelayMs), ConfigType.INT],
    ['group.min.session.timeout.ms', String(c.minSessionTimeoutMs), ConfigType.INT],
    ['group.max.session.timeout.ms', String(c.maxSessionTimeoutMs), ConfigType.INT],
    ['transaction.max.timeout.ms', String(c.maxTransactionTimeoutMs), ConfigType.INT],
    ['compression.type', 'producer', ConfigType.STRING],
    ['log.message.timestamp.type', 'CreateTime', ConfigType.STRING],
  ];
}

export const describeConfigs = defineApi('DescribeConfigs', DescribeConfigsRequest, DescribeConfigsResponse, (req, { state }) => ({
  throttleTimeMs: 0,
  results: req.resources.map((res): Result => {
    const base = { resourceType: res.resourceType, resourceName: res.resourceName };
    const fail = (errorCode: number, errorMessage: string): Result => ({ ...base, errorCode, errorMessage, configs: [] });
    const wanted = (name: string): boolean => res.configurationKeys === null || res.configurationKeys.includes(name);
    if (res.resourceType === RESOURCE_TOPIC) {
      const topic = state.topics.get(res.resourceName);
      if (topic === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${res.resourceName} does not exist`);
      const configs = [...TOPIC_CONFIG_DEFAULTS]
        .filter(([name]) => wanted(name))
        .map(([name, def]) => {
          const own = topic.configs.get(name);
          return own === undefined || own === null
            ? entry(name, def.value, Source.DEFAULT_CONFIG, def.type, req.includeSynonyms)
            : entry(name, own, Source.DYNAMIC_TOPIC_CONFIG, def.type, req.includeSynonyms);
        });
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
    }
    if (res.resourceType === RESOURCE_BROKER) {
      if (res.resourceName !== String(state.config.nodeId)) return fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${state.config.nodeId} but received ${res.resourceName}`);
      const configs = brokerConfigs(state)
        .filter(([name]) => wanted(name))
        .map(([name, value, type]) => entry(name, value, Source.STATIC_BROKER_CONFIG, type, req.includeSynonyms));
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
    }
    return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${res.resourceType}`);
  }),
}));
