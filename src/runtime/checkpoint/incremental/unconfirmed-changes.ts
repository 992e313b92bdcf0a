/**
 * The changes of each operator's backend snapshots that no completed checkpoint holds yet
 * (incremental checkpoints with deltas). A delta is built on the last completed
 * checkpoint, so it must carry the changes of every snapshot taken since that one's: of
 * checkpoints still in flight, aborted or declined, and of savepoints. A run with a
 * snapshot missing (its capture was discarded), or of another backend instance, builds no
 * delta: the key groups are then written in full.
 */
import type { SnapshotChanges } from '../../state/snapshot/keyed-state-snapshot.ts';

/** The backend snapshot a placement is as of; `backend` undefined: as restored, before the backend's first snapshot. */
export interface Epoch {
  readonly backend: string | undefined;
  readonly seq: number;
}

/** Snapshots kept per operator at most: past that many checkpoints without a completion, the oldest go (the next upload is full). */
const MAX_KEPT = 64;

export class UnconfirmedChanges {
  private readonly byOperator = new Map<string, SnapshotChanges[]>();

  add(operatorId: string, c: SnapshotChanges): void {
    let list = this.byOperator.get(operatorId);
    if (!list) this.byOperator.set(operatorId, (list = []));
    if (list.some((x) => x.backend === c.backend && x.seq === c.seq)) return;
    list.push(c);
    if (list.length > MAX_KEPT) list.shift();
  }

  /**
   * The changes of the snapshots after `epoch` up to `current`, oldest first, by key group;
   * undefined when one is missing or the backend is not the epoch's.
   */
  since(operatorId: string, epoch: Epoch, current: SnapshotChanges): ReadonlyMap<number, Uint8Array>[] | undefined {
    if (epoch.backend !== undefined && epoch.backend !== current.backend) return undefined;
    const bySeq = new Map<number, SnapshotChanges>();
    for (const c of this.byOperator.get(operatorId) ?? []) if (c.backend === current.backend) bySeq.set(c.seq, c);
    const out: ReadonlyMap<number, Uint8Array>[] = [];
    for (let seq = epoch.seq + 1; seq <= current.seq; seq++) {
      const c = bySeq.get(seq);
      if (!c) return undefined;
      out.push(c.keyGroups);
    }
    return out;
  }

  /** A checkpoint as of `epochs` completed: what it holds is needed no more, nor are changes of other backends. */
  confirmed(epochs: ReadonlyMap<string, Epoch>): void {
    for (const [operatorId, list] of this.byOperator) {
      const epoch = epochs.get(operatorId);
      const keep = epoch ? list.filter((c) => c.backend === epoch.backend && c.seq > epoch.seq) : [];
      if (keep.length > 0) this.byOperator.set(operatorId, keep);
      else this.byOperator.delete(operatorId);
    }
  }
}
