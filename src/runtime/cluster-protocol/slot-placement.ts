/**
 * Where subtasks run, as both sides of the cluster protocol agree on it. Flink's default slot
 * sharing: subtask s of every vertex runs in the s-th slot the JobManager picks, so a job
 * needs as many slots as its widest vertex. The JobManager picks among the free slots (a
 * slot runs one job's subtasks at a time, as in Flink) and names each by its TaskManager and
 * the slot's index there. Pure functions: the JobManager and the TaskManager call them.
 */
import type { EndpointAddress } from '../network/tcp/network-endpoint.ts';
import type { JobGraph } from '../graph/job-graph.ts';

export interface SlotOffer {
  /** The TaskManager that offers the slot. */
  readonly owner: string;
  /** The slot's index on its TaskManager. */
  readonly index: number;
  /** The slot's data endpoint. */
  readonly address: EndpointAddress;
}

export interface Placement {
  /** slotOwners[s]: the TaskManager that runs subtask s of every vertex. */
  readonly slotOwners: string[];
  /** slotIndexes[s]: the slot on that TaskManager that runs subtask s. */
  readonly slotIndexes: number[];
  /** slotAddresses[s]: the data endpoint of the slot that runs subtask s. */
  readonly slotAddresses: EndpointAddress[];
}

export function slotsNeeded(graph: JobGraph): number {
  return Math.max(...graph.vertices.map((v) => v.parallelism));
}

/** The first slots offered (in the registry's order), or undefined when there are too few. */
export function placeSubtasks(graph: JobGraph, offers: readonly SlotOffer[]): Placement | undefined {
  const needed = slotsNeeded(graph);
  if (offers.length < needed) return undefined;
  const slots = offers.slice(0, needed);
  return { slotOwners: slots.map((s) => s.owner), slotIndexes: slots.map((s) => s.index), slotAddresses: slots.map((s) => s.address) };
}

/** The subtask indexes one TaskManager runs and the local slot each runs in. */
export function localAssignments(placement: Pick<Placement, 'slotOwners' | 'slotIndexes'>, taskManagerId: string): { slot: number; subtask: number }[] {
  const out: { slot: number; subtask: number }[] = [];
  placement.slotOwners.forEach((owner, subtask) => {
    if (owner === taskManagerId) out.push({ slot: placement.slotIndexes[subtask]!, subtask });
  });
  return out;
}
