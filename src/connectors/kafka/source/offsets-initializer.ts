/**
 * Where a partition starts reading when no checkpoint says (Flink's OffsetsInitializer):
 * earliest, latest, the group's committed offset with a fallback, the first offset at or
 * after a timestamp, or given offsets per partition (with a fallback for the others).
 */
import { WeirError } from '../../../errors/index.ts';
import { key } from '../client/kafka-client.ts';
import type { KafkaClient } from '../client/kafka-client.ts';
import type { TopicPartition } from '../client/types.ts';

export type OffsetsInitializer =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'timestamp'; readonly timestamp: number }
  | { readonly kind: 'committed'; readonly fallback: 'earliest' | 'latest' | 'none' }
  | { readonly kind: 'specific'; readonly offsets: ReadonlyMap<string, number>; readonly fallback: 'earliest' | 'latest' };

export const OffsetsInitializers = {
  earliest: (): OffsetsInitializer => ({ kind: 'earliest' }),
  latest: (): OffsetsInitializer => ({ kind: 'latest' }),
  timestamp: (timestamp: number): OffsetsInitializer => ({ kind: 'timestamp', timestamp }),
  /** The group's committed offsets; `fallback` for partitions without one ('none': an error). */
  committedOffsets: (fallback: 'earliest' | 'latest' | 'none' = 'none'): OffsetsInitializer => ({ kind: 'committed', fallback }),
  /** Offsets per partition, as [topic, partition, offset]; `fallback` for the others. */
  offsets: (offsets: readonly (readonly [string, number, number])[], fallback: 'earliest' | 'latest' = 'earliest'): OffsetsInitializer => ({
    kind: 'specific',
    offsets: new Map(offsets.map(([t, p, o]) => [key(t, p), o])),
    fallback,
  }),
};

/** The starting offset of each partition, keyed `topic#partition`. */
export async function initialOffsets(init: OffsetsInitializer, client: KafkaClient, partitions: readonly TopicPartition[], groupId: string | undefined): Promise<Map<string, number>> {
  switch (init.kind) {
    case 'earliest':
      return client.offsetsAt(partitions, 'earliest');
    case 'latest':
      return client.offsetsAt(partitions, 'latest');
    case 'timestamp':
      return client.offsetsAt(partitions, { timestamp: init.timestamp });
    case 'committed': {
      if (groupId === undefined) throw new WeirError('KAFKA_INVALID_CONFIGURATION', 'committedOffsets() needs a group id: call setGroupId', false);
      const committed = await client.committedOffsets(groupId, partitions);
      return fillIn(committed, partitions, client, init.fallback, 'the consumer group has no committed offset');
    }
    case 'specific':
      return fillIn(new Map(partitions.flatMap((p) => (init.offsets.has(key(p.topic, p.partition)) ? [[key(p.topic, p.partition), init.offsets.get(key(p.topic, p.partition))!] as const] : []))), partitions, client, init.fallback, 'no offset was given');
  }
}

async function fillIn(known: Map<string, number>, partitions: readonly TopicPartition[], client: KafkaClient, fallback: 'earliest' | 'latest' | 'none', why: string): Promise<Map<string, number>> {
  const rest = partitions.filter((p) => !known.has(key(p.topic, p.partition)));
  if (rest.length === 0) return known;
  if (fallback === 'none') {
    throw new WeirError('KAFKA_INVALID_CONFIGURATION', `${why} for ${rest.map((p) => key(p.topic, p.partition)).join(', ')}, and the starting offsets have no fallback: use committedOffsets('earliest') or committedOffsets('latest')`, false);
  }
  for (const [k, v] of await client.offsetsAt(rest, fallback)) known.set(k, v);
  return known;
}
