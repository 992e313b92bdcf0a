/**
 * The autoscaler's lag of a Kafka source on a SASL_SSL cluster, which the operator cannot
 * open (it has neither the job's credentials nor its CA): a Weir job reads through SCRAM over
 * TLS, and the operator's collection (RestVertexMetrics + SourceLagReaders, as its pass runs
 * them) reads the lag from the job's pendingRecords on the JobManager's REST API. To make the
 * lag exact, the job's sink holds its first write until the test releases it: the source has
 * emitted one batch (the task's 1024 records) of the 3000 it fetched and reads no further.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkStrategy, defineJob } from '../../src/api/index.ts';
import type { Sink } from '../../src/api/index.ts';
import { Deserializers, KafkaRecordDeserializers, KafkaSource, OffsetsInitializers } from '../../src/connectors/kafka/index.ts';
import { Dispatcher } from '../../src/runtime/jobmanager/dispatcher.ts';
import { RestServer } from '../../src/runtime/jobmanager/rest/rest-server.ts';
import { RestVertexMetrics } from '../../src/kube-operator/autoscaler/jobmanager-vertex-metrics.ts';
import { SourceLagReaders } from '../../src/kube-operator/autoscaler/source-lag-readers.ts';
import type { SourceLag } from '../../src/kube-operator/autoscaler/source-lag.ts';
import { startKafka } from '../support/kafka/index.ts';
import { TLS } from '../support/tls-fixtures.ts';
import { eventually } from '../support/eventually.ts';
import { cleanups, produce } from '../connectors/kafka/kafka-helpers.ts';

const ADMIN = { mechanism: 'scram-sha-512', username: 'admin', password: 'admin-secret' } as const;
/** Records per partition, produced before the job starts. */
const PRODUCED = [1800, 1200];
/** The records a source task emits per poll (the task group's batch size). */
const BATCH = 1024;

/** A sink whose first write waits until `release`: the task, and so its source, stops there. */
function heldSink(): { sink: Sink<string>; firstWrite: () => number | undefined; release: () => void } {
  let received: number | undefined;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const sink: Sink<string> = {
    createWriter: () => ({
      async write(values) {
        received ??= values.length;
        await held;
      },
    }),
  };
  return { sink, firstWrite: () => received, release };
}

test('a SASL_SSL source: the lag is the job\'s pendingRecords, exact, and no admin client is made', async (t) => {
  const defer = cleanups(t);
  const kafka = await startKafka({
    autoCreateTopics: false,
    topics: { in: 2 },
    tls: TLS.broker,
    sasl: { mechanisms: ['SCRAM-SHA-512'], users: { admin: 'admin-secret', reader: 'reader-secret' } },
  });
  defer(() => kafka.stop());
  const ssl = { ca: TLS.ca, checkServerIdentity: () => undefined };
  for (const [partition, n] of PRODUCED.entries()) {
    await produce(kafka.brokers, 'in', Array.from({ length: n }, (_, i) => ({ value: `${partition}:${i}`, partition })), ADMIN, ssl);
  }

  const { sink, firstWrite, release } = heldSink();
  const job = defineJob((env) => {
    env.setParallelism(1);
    env
      .fromSource(
        KafkaSource.builder()
          .setBootstrapServers(kafka.brokers)
          .setTopics('in')
          .setGroupId('secured-lag')
          .setStartingOffsets(OffsetsInitializers.earliest())
          .setProperties({
            'security.protocol': 'SASL_SSL',
            'sasl.mechanism': 'SCRAM-SHA-512',
            'sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="reader" password="reader-secret";',
            'ssl.truststore.type': 'PEM',
            'ssl.truststore.certificates': TLS.ca,
          })
          .setDeserializer(KafkaRecordDeserializers.valueOnly(Deserializers.string))
          .build(),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .map((v: string | null) => v ?? '')
      .sinkTo(sink, 'held');
  });

  const dispatcher = new Dispatcher();
  const rest = new RestServer(dispatcher, { port: 0 });
  const base = `http://127.0.0.1:${await rest.listen()}`;
  defer(() => rest.close());
  const running = await dispatcher.submit(job);
  defer(async () => {
    release();
    running.cancel();
    await running.done;
  });

  const size = await eventually(firstWrite, 30_000, 'the sink\'s first write');
  assert.equal(size, BATCH, 'the source emitted one batch before its sink held it');

  const log: string[] = [];
  const created: unknown[] = [];
  const readers = new SourceLagReaders(
    (line) => log.push(line),
    (options) => {
      created.push(options);
      throw new Error('the operator opened an admin client to a secured cluster');
    },
  );
  defer(() => readers.closeAll());
  const metrics = new RestVertexMetrics(base, () => 1_000);
  let seen: unknown;
  const { vertexId, lag } = await eventually(
    async () => {
      const vertices = await metrics.vertexMetrics(running.jobId);
      const lags = await readers.lagOf('test/secured', vertices);
      seen = { vertices: vertices.map((v) => ({ id: v.id, source: v.source, reported: v.reported })), lags: [...lags], log: log.slice(-2) };
      const [id, l] = [...lags][0] ?? [];
      return id === undefined ? undefined : { vertexId: id, lag: l! };
    },
    30_000,
    'a lag for the source',
    () => seen,
  );
  const expected: SourceLag = { at: 1_000, measure: 'pending-records', partitions: [], totalLag: PRODUCED[0]! + PRODUCED[1]! - BATCH, partitionCount: 2 };
  assert.deepEqual(lag, expected);
  assert.deepEqual(created, []);

  // What the JobManager says of the source: that it is secured, and nothing of how.
  const detail = (await (await fetch(`${base}/jobs/${running.jobId}`)).json()) as { vertices: { id: string; source?: Record<string, unknown> }[] };
  const described = detail.vertices.find((v) => v.id === vertexId)!.source!;
  assert.equal(described.securityProtocol, 'SASL_SSL');
  assert.doesNotMatch(JSON.stringify(detail), /reader-secret|BEGIN CERTIFICATE|jaas/);

  // A source described without its protocol (an older Weir) is tried through an admin client
  // of the operator's, which the TLS listener refuses: the pass falls back to pendingRecords.
  const fallback = new SourceLagReaders((line) => log.push(line));
  defer(() => fallback.closeAll());
  const vertices = (await metrics.vertexMetrics(running.jobId)).map((v) => (v.source ? { ...v, source: { ...v.source, securityProtocol: undefined } } : v));
  assert.deepEqual((await fallback.lagOf('test/older', vertices)).get(vertexId), expected);
  assert.match(log.at(-1)!, new RegExp(`^autoscaler: source lag for test/older/${vertexId} from the job's pendingRecords this pass: its committed offsets could not be read: cannot read the lag of group secured-lag on in from Kafka at `));
});
