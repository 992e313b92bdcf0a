// Committed consumer offsets: plain commits validated against group membership as in
// Kafka's GroupCoordinator.handleCommitOffsets, and transactional commits held pending
// until their transaction ends.
import { ErrorCode } from '../protocol/errors.ts';
import type { GroupCoordinator } from './coordinator.ts';
import { splitTpKey, tpKey } from './group.ts';
import type { OffsetEntry } from './group.ts';

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

export class OffsetManager {
  /** group -> producer id -> offsets written by an open transaction. */
  private readonly pending = new Map<string, Map<number, Map<string, OffsetEntry>>>();

  constructor(private readonly groups: GroupCoordinator) {}

  /** Returns the error code for the whole commit; NONE means the offsets were stored. */
  commit(groupId: string, generationId: number, memberId: string, entries: OffsetCommitEntry[]): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    let group = this.groups.groups.get(groupId);
    if (group === undefined) {
      // Without group management (generation -1) Kafka stores offsets for a fresh Empty group.
      if (generationId >= 0) return ErrorCode.ILLEGAL_GENERATION;
      group = this.groups.getOrCreate(groupId);
    }
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!(generationId < 0 && group.state === 'Empty')) {
      if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
      const member = group.members.get(memberId);
      if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
      member.lastHeartbeat = Date.now();
    }
    for (const e of entries) group.offsets.set(tpKey(e.topic, e.partition), { offset: e.offset, metadata: e.metadata });
    return ErrorCode.NONE;
  }

  /** Committed offset of each partition, -1 when none; null topics means every committed partition. */
  fetch(groupId: string, topics: { topic: string; partitions: number[] }[] | null): Map<string, Map<number, OffsetEntry>> {
    const out = new Map<string, Map<number, OffsetEntry>>();
    const offsets = this.groups.groups.get(groupId)?.offsets ?? new Map<string, OffsetEntry>();
    const put = (topic: string, partition: number, e: OffsetEntry): void => {
      let m = out.get(topic);
      if (m === undefined) out.set(topic, (m = new Map()));
      m.set(partition, e);
    };
    if (topics === null) {
      for (const [key, e] of offsets) put(...splitTpKey(key), e);
      return out;
    }
    for (const t of topics) {
      for (const p of t.partitions) put(t.topic, p, offsets.get(tpKey(t.topic, p)) ?? { offset: -1, metadata: '' });
    }
    return out;
  }

  addTxnOffsets(groupId: string, producerId: number, entries: OffsetCommitEntry[]): void {
    let byProducer = this.pending.get(groupId);
    if (byProducer === undefined) this.pending.set(groupId, (byProducer = new Map()));
    let offsets = byProducer.get(producerId);
    if (offsets === undefined) byProducer.set(producerId, (offsets = new Map()));
    for (const e of entries) offsets.set(tpKey(e.topic, e.partition), { offset: e.offset, metadata: e.metadata });
  }

  /** True while an open transaction holds an offset for the partition (OffsetFetch require_stable). */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    for (const offsets of this.pending.get(groupId)?.values() ?? []) if (offsets.has(tpKey(topic, partition))) return true;
    return false;
  }

  /** The commit marker makes a transaction's offsets visible; an abort discards them. */
  completeTxn(groupId: string, producerId: number, commit: boolean): void {
    const byProducer = this.pending.get(groupId);
    const offsets = byProducer?.get(producerId);
    byProducer?.delete(producerId);
    if (offsets === undefined || !commit) return;
    const group = this.groups.getOrCreate(groupId);
    for (const [key, e] of offsets) group.offsets.set(key, e);
  }

  /** Kafka drops the offsets of a deleted topic. */
  deleteTopic(topic: string): void {
    for (const g of this.groups.groups.values()) {
      for (const key of [...g.offsets.keys()]) if (splitTpKey(key)[0] === topic) g.offsets.delete(key);
    }
  }
}
