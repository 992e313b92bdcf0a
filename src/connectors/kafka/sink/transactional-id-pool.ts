/**
 * Which of a subtask's pooled transactional ids a new transaction may run under. A
 * checkpoint records a transaction as (id, producer id, epoch), and a producer keeps its
 * epoch from one transaction to the next, so the triple names whatever transaction the id
 * runs now. Were an id reused as soon as its transaction committed, a restore of a
 * checkpoint that recorded the committed one would commit the new one in its place (records
 * the restore then replays: duplicates). So a committed id is free again only once a
 * checkpoint taken after the commit has completed: every checkpoint a restore may use from
 * then on was taken after the commit and does not record the old transaction.
 */
export class TransactionalIdPool {
  /** Open, pre-committed, or committed but possibly still recorded by the latest checkpoint. */
  private readonly held = new Set<string>();
  /** Committed since the last snapshot: no checkpoint taken after the commit yet. */
  private committedSinceSnapshot: string[] = [];
  /** Committed ids and the checkpoint whose completion frees them. */
  private readonly freedBy = new Map<string, number>();

  constructor(readonly ids: readonly string[]) {}

  /** An id for a new transaction, now held; undefined when every id is held. */
  take(): string | undefined {
    const id = this.ids.find((i) => !this.held.has(i));
    if (id !== undefined) this.held.add(id);
    return id;
  }

  /** The transaction under `id` committed (a restored one of an id not held changes nothing). */
  committed(id: string): void {
    if (this.held.has(id) && !this.freedBy.has(id)) this.committedSinceSnapshot.push(id);
  }

  /** The transaction under `id` was aborted: no checkpoint recorded it, so the id is free. */
  aborted(id: string): void {
    this.held.delete(id);
  }

  /**
   * A snapshot for `checkpointId` is about to be taken; every commit reported before comes
   * before it, so its completion frees those ids.
   */
  snapshotTaken(checkpointId: number): void {
    for (const id of this.committedSinceSnapshot) this.freedBy.set(id, checkpointId);
    this.committedSinceSnapshot = [];
  }

  checkpointCompleted(checkpointId: number): void {
    for (const [id, by] of this.freedBy) {
      if (by > checkpointId) continue;
      this.freedBy.delete(id);
      this.held.delete(id);
    }
  }
}
