// Standalone broker for manual use:
//   node --import tsx test/support/kafka/main.ts [--port 9092] [--partitions 3] [--topic name:partitions ...]
import { parseArgs } from 'node:util';
import { startKafka } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9092' },
    partitions: { type: 'string', default: '1' },
    topic: { type: 'string', multiple: true, default: [] },
  },
});

const topics: Record<string, number> = {};
for (const spec of values.topic) {
  const [name, count] = spec.split(':');
  if (name === undefined || name === '') throw new Error(`bad --topic ${spec}; expected name[:partitions]`);
  topics[name] = Number(count ?? values.partitions);
}

const broker = await startKafka({ port: Number(values.port), partitions: Number(values.partitions), topics });
console.log(`kafka test broker listening on ${broker.brokers.join(',')}`);

const shutdown = (): void => {
  broker.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
