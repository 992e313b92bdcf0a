// The transaction coordinator's answers as Kafka's TransactionCoordinator gives them
// (KIP-98): which requests a producer id and epoch may still make once the epoch moved on,
// and which EndTxn is a harmless retry. No network: the coordinator is driven directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TopicStore } from '../log/topics.ts';
import { GroupCoordinator } from '../groups/coordinator.ts';
import { OffsetManager } from '../groups/offsets.ts';
import { TransactionCoordinator } from '../txn/coordinator.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { tpKey } from '../groups/group.ts';

function coordinator(): { txns: TransactionCoordinator; topics: TopicStore } {
  const topics = new TopicStore(() => undefined);
  topics.create('out', 1);
  const groups = new GroupCoordinator({ initialRebalanceDelayMs: 0, minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 1800000 });
  const txns = new TransactionCoordinator(topics, new OffsetManager(groups), { maxTimeoutMs: 900000, abortCheckIntervalMs: 3_600_000 });
  return { txns, topics };
}

const OUT = [{ name: 'out', partitions: [0] }];
const markers = (topics: TopicStore) => topics.partition('out', 0)!.nextOffset;

test('a producer id and epoch name the id\'s current transaction, whichever it is: a second one is committed by the same EndTxn', () => {
  const { txns, topics } = coordinator();
  const { producerId, producerEpoch } = txns.initProducerId('t', 60_000);
  assert.equal(txns.addPartitions('t', producerId, producerEpoch, OUT).get(tpKey('out', 0)), ErrorCode.NONE);
  assert.equal(txns.endTxn('t', producerId, producerEpoch, true), ErrorCode.NONE);
  // The same producer runs its next transaction under the same epoch (Kafka bumps it only on InitProducerId).
  assert.equal(txns.addPartitions('t', producerId, producerEpoch, OUT).get(tpKey('out', 0)), ErrorCode.NONE);
  const before = markers(topics);
  assert.equal(txns.endTxn('t', producerId, producerEpoch, true), ErrorCode.NONE);
  assert.equal(markers(topics), before + 1, 'the second transaction got its commit marker');
  txns.close();
});

test('after InitProducerId bumped the epoch, every request of the old epoch is fenced and the open transaction was aborted', () => {
  const { txns, topics } = coordinator();
  const old = txns.initProducerId('t', 60_000);
  txns.addPartitions('t', old.producerId, old.producerEpoch, OUT);
  const before = markers(topics);
  // An open transaction: the first answer aborts it under a bumped epoch; the retry bumps once more.
  assert.equal(txns.initProducerId('t', 60_000).error, ErrorCode.CONCURRENT_TRANSACTIONS);
  assert.equal(markers(topics), before + 1, 'the abort marker');
  const next = txns.initProducerId('t', 60_000);
  assert.deepEqual(next, { error: ErrorCode.NONE, producerId: old.producerId, producerEpoch: old.producerEpoch + 2 });
  assert.equal(txns.endTxn('t', old.producerId, old.producerEpoch, true), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(txns.endTxn('t', old.producerId, old.producerEpoch, false), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(txns.addPartitions('t', old.producerId, old.producerEpoch, OUT).get(tpKey('out', 0)), ErrorCode.INVALID_PRODUCER_EPOCH);
  assert.equal(txns.addOffsets('t', old.producerId, old.producerEpoch, 'g'), ErrorCode.INVALID_PRODUCER_EPOCH);
  // KIP-360: a producer naming an epoch that is not the current one is fenced.
  assert.equal(txns.initProducerId('t', 60_000, old.producerId, old.producerEpoch).error, ErrorCode.PRODUCER_FENCED);
  assert.equal(markers(topics), before + 1, 'nothing of the old epoch reached the log');
  txns.close();
});

test('EndTxn repeating a completed result is a no-op retry; the other result, or no transaction, is INVALID_TXN_STATE', () => {
  const { txns, topics } = coordinator();
  const { producerId: pid, producerEpoch: epoch } = txns.initProducerId('t', 60_000);
  assert.equal(txns.endTxn('t', pid, epoch, true), ErrorCode.INVALID_TXN_STATE, 'no transaction yet');
  txns.addPartitions('t', pid, epoch, OUT);
  assert.equal(txns.endTxn('t', pid, epoch, true), ErrorCode.NONE);
  const committed = markers(topics);
  assert.equal(txns.endTxn('t', pid, epoch, true), ErrorCode.NONE);
  assert.equal(txns.endTxn('t', pid, epoch, false), ErrorCode.INVALID_TXN_STATE);
  txns.addPartitions('t', pid, epoch, OUT);
  assert.equal(txns.endTxn('t', pid, epoch, false), ErrorCode.NONE);
  assert.equal(txns.endTxn('t', pid, epoch, false), ErrorCode.NONE);
  assert.equal(txns.endTxn('t', pid, epoch, true), ErrorCode.INVALID_TXN_STATE, 'a commit after the abort');
  assert.equal(markers(topics), committed + 1, 'retries wrote no marker');
  txns.close();
});
