/**
 * The job the secured-broker tests run: a bounded KafkaSource reading `in`, upper-casing each
 * value, into an exactly-once KafkaSink writing `out`, each side with its own client
 * properties (security.protocol, sasl.*, ssl.*).
 */
import { WatermarkStrategy, defineJob } from '../../../src/api/index.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaRecordSerializers, KafkaSink, KafkaSource, OffsetsInitializers, Serializers } from '../../../src/connectors/kafka/index.ts';
import type { KafkaBroker } from '../../support/kafka/index.ts';

export function securedPipeline(kafka: KafkaBroker, transactionalIdPrefix: string, sourceProps: Record<string, string>, sinkProps: Record<string, string>) {
  return defineJob((env) => {
    env.setParallelism(1);
    env.enableCheckpointing(100);
    env
      .fromSource(
        KafkaSource.builder()
          .setBootstrapServers(kafka.brokers)
          .setTopics('in')
          .setStartingOffsets(OffsetsInitializers.earliest())
          .setBounded()
          .setProperties(sourceProps)
          .setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string))
          .build(),
        WatermarkStrategy.noWatermarks(),
        'kafka-in',
      )
      .map((v: string | null) => v!.toUpperCase())
      .sinkTo(
        KafkaSink.builder<string>()
          .setBootstrapServers(kafka.brokers)
          .setDeliveryGuarantee('EXACTLY_ONCE')
          .setTransactionalIdPrefix(transactionalIdPrefix)
          .setProperties(sinkProps)
          .setRecordSerializer(KafkaRecordSerializers.builder<string>().setTopic('out').setValueSerializationSchema(Serializers.string).build())
          .build(),
        'kafka-out',
      );
  });
}
