/**
 * Fraud detection, after the seed guide: a generated stream of card transactions, keyed
 * by account. A small transaction (under $1) followed within a minute by a large one
 * (over $500) on the same account raises an alert. A windowed count per merchant runs
 * alongside. Bounded, so it ends on its own.
 *
 *   weir run examples/fraud-detection.ts -- --transactions 200000
 *   weir run examples/fraud-detection.ts -- --transactions 1000000 --rate 5000   (transactions per second)
 *
 * Kafka mode: transactions are read as JSON from the topic `transactions` and alerts written
 * exactly-once to the topic `alerts` (a read_committed consumer sees each alert once, across
 * failures); unbounded, so it runs until cancelled. `--feed` writes generated transactions to
 * the topic instead (a job of its own):
 *
 *   weir run examples/fraud-detection.ts -- --kafka localhost:9092 --feed --transactions 100000 --rate 2000
 *   weir run examples/fraud-detection.ts -- --kafka localhost:9092
 */
import {
  defineJob,
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  OutputTag,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../src/api/index.ts';
import type { Collector, KeyedProcessContext, ListState, MapState, OnTimerContext, RuntimeContext, ValueState } from '../src/api/index.ts';
import type { DataStream, StreamExecutionEnvironment } from '../src/api/index.ts';
import { DataGeneratorSource } from '../src/connectors/datagen/index.ts';
import { KafkaRecordDeserializers, KafkaRecordSerializers, KafkaSink, KafkaSource, OffsetsInitializers, Serializers } from '../src/connectors/kafka/index.ts';

interface Transaction {
  accountId: string;
  merchant: string;
  amount: number;
  timestamp: number;
}

interface Alert {
  accountId: string;
  small: number;
  large: number;
  merchant: string;
  at: string;
  recentAmounts: number[];
}

const SMALL = 1.0;
const LARGE = 500.0;
const ONE_MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);
const MERCHANTS = ['grocer', 'fuel', 'books', 'travel', 'electronics', 'cafe', 'pharmacy'];

/** Deterministic pseudo-random number in [0, 1) for record i. */
function random(i: number, salt: number): number {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function transaction(i: number): Transaction {
  const r = random(i, 7);
  // Mostly ordinary amounts, a few tiny "card test" charges and a few large ones.
  const amount = r < 0.02 ? Math.round(random(i, 11) * 99) / 100 : r > 0.985 ? 500 + Math.round(random(i, 13) * 150000) / 100 : 5 + Math.round(random(i, 17) * 20000) / 100;
  return {
    accountId: `acct-${Math.floor(random(i, 3) * 200)}`,
    merchant: MERCHANTS[Math.floor(random(i, 5) * MERCHANTS.length)]!,
    amount,
    timestamp: START + i * 250,
  };
}

/** Flags small-then-large within a minute, per account (value, map and list state, event-time timers). */
class FraudDetector extends KeyedProcessFunction<string, Transaction, Alert> {
  private smallSeen!: ValueState<number>;
  private timer!: ValueState<number>;
  private perMerchant!: MapState<string, number>;
  private recent!: ListState<number>;

  override open(ctx: RuntimeContext): void {
    this.smallSeen = ctx.getState(new ValueStateDescriptor<number>('small-transaction'));
    this.timer = ctx.getState(new ValueStateDescriptor<number>('timer'));
    this.perMerchant = ctx.getMapState(new MapStateDescriptor<string, number>('transactions-per-merchant'));
    this.recent = ctx.getListState(new ListStateDescriptor<number>('recent-amounts'));
  }

  processElement(tx: Transaction, ctx: KeyedProcessContext<string>, out: Collector<Alert>): void {
    this.perMerchant.put(tx.merchant, (this.perMerchant.get(tx.merchant) ?? 0) + 1);
    this.recent.add(tx.amount);
    const small = this.smallSeen.value();
    if (small !== undefined && tx.amount > LARGE) {
      out.collect({ accountId: tx.accountId, small, large: tx.amount, merchant: tx.merchant, at: new Date(tx.timestamp).toISOString(), recentAmounts: this.recent.get().slice(-5) });
      this.clear(ctx);
    }
    if (tx.amount < SMALL) {
      this.smallSeen.update(tx.amount);
      const t = tx.timestamp + ONE_MINUTE;
      ctx.timerService().registerEventTimeTimer(t);
      this.timer.update(t);
    }
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<string>): void {
    this.smallSeen.clear();
    this.timer.clear();
    this.recent.clear();
  }

  private clear(ctx: KeyedProcessContext<string>): void {
    const t = this.timer.value();
    if (t !== undefined) ctx.timerService().deleteEventTimeTimer(t);
    this.smallSeen.clear();
    this.timer.clear();
  }
}

export const LATE = new OutputTag<Transaction>('late-transactions');

const formatAlert = (a: Alert) => `ALERT ${a.accountId}: $${a.small.toFixed(2)} then $${a.large.toFixed(2)} at ${a.merchant} (${a.at})`;

const watermarks = WatermarkStrategy.forBoundedOutOfOrderness<Transaction>(5_000).withTimestampAssigner((tx) => tx.timestamp);

function generated(env: StreamExecutionEnvironment, args: Readonly<Record<string, string>>): DataStream<Transaction> {
  const count = Number(args.transactions ?? 100_000);
  // --rate paces the generator (transactions per second), so a run lasts long enough to watch.
  const source = new DataGeneratorSource(transaction, count, args.rate === undefined ? {} : { recordsPerSecond: Number(args.rate) });
  return env.fromSource(source, watermarks, 'transactions').uid('transactions');
}

/** Transactions from the Kafka topic, from the group's committed offsets (the earliest on a first run). */
function fromKafka(env: StreamExecutionEnvironment, brokers: string, topic: string): DataStream<Transaction> {
  const source = KafkaSource.builder()
    .setBootstrapServers(brokers)
    .setTopics(topic)
    .setGroupId('fraud-detection')
    .setStartingOffsets(OffsetsInitializers.committedOffsets('earliest'))
    .setDeserializer(KafkaRecordDeserializers.valueOnly((bytes): Transaction => JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array())) as Transaction))
    .build();
  // An idle partition must not hold the hourly windows back.
  return env.fromSource(source, watermarks.withIdleness(10_000), 'transactions').uid('transactions');
}

export default defineJob((env, args) => {
  env.setJobName('fraud-detection');
  // Checkpoints twice a second (to $TMPDIR/weir-checkpoints unless state.checkpoints.dir is
  // set): a failure restarts the job from the latest, and the progress line shows them.
  env.enableCheckpointing(500);
  const kafka = args.kafka;
  const transactionsTopic = args['transactions-topic'] ?? 'transactions';
  if (kafka !== undefined && args.feed !== undefined) {
    env.setJobName('fraud-detection-feed');
    generated(env, args).sinkTo(
      KafkaSink.builder<Transaction>()
        .setBootstrapServers(kafka)
        .setDeliveryGuarantee('AT_LEAST_ONCE')
        .setRecordSerializer(KafkaRecordSerializers.builder<Transaction>().setTopic(transactionsTopic).setKeySerializationSchema(Serializers.string, (tx) => tx.accountId).setValueSerializationSchema(Serializers.json<Transaction>()).build())
        .build(),
      'transactions to Kafka',
    );
    return;
  }
  const transactions = kafka === undefined ? generated(env, args) : fromKafka(env, kafka, transactionsTopic);

  const alerts = transactions
    .keyBy((tx) => tx.accountId)
    .process(new FraudDetector())
    .uid('fraud-detector')
    .name('Fraud detector');
  if (kafka === undefined) {
    alerts.map(formatAlert).print();
  } else {
    alerts.sinkTo(
      KafkaSink.builder<Alert>()
        .setBootstrapServers(kafka)
        .setDeliveryGuarantee('EXACTLY_ONCE')
        .setTransactionalIdPrefix('fraud-detection-alerts')
        .setRecordSerializer(KafkaRecordSerializers.builder<Alert>().setTopic(args['alerts-topic'] ?? 'alerts').setKeySerializationSchema(Serializers.string, (a) => a.accountId).setValueSerializationSchema(Serializers.string, formatAlert).build())
        .build(),
      'alerts to Kafka',
    ).uid('alerts');
  }

  transactions
    .map((tx) => ({ merchant: tx.merchant, count: 1 }))
    .keyBy((m) => m.merchant)
    .window(TumblingEventTimeWindows.of(60 * ONE_MINUTE))
    .sideOutputLateData(LATE as unknown as OutputTag<{ merchant: string; count: number }>)
    .sum('count')
    .uid('merchant-counts')
    .name('Transactions per merchant per hour')
    .map((m) => `merchant ${m.merchant}: ${m.count} transactions this hour`)
    .print('summary');
});
