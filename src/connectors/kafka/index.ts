export { KafkaSource, KafkaSourceBuilder } from './source/kafka-source.ts';
export type { KafkaSourceSettings } from './source/kafka-source.ts';
export { OffsetsInitializers } from './source/offsets-initializer.ts';
export type { OffsetsInitializer } from './source/offsets-initializer.ts';
export { Deserializers, KafkaRecordDeserializers } from './source/deserializers.ts';
export type { KafkaDeadLetter, KafkaRecord, KafkaRecordDeserializer, ValueDeserializer } from './source/deserializers.ts';
export type { FetchedRecord, KafkaHeaders, TopicPartition } from './client/types.ts';
