/**
 * The JobManager's view of its TaskManagers: who registered, when each last heartbeated,
 * which of their slots an attempt holds, the commands waiting for each (handed over at once
 * to the TaskManager's open request for commands), and the reports they send back.
 */
import type { EndpointAddress } from '../../network/tcp/network-endpoint.ts';
import type { Placement, SlotOffer } from '../../cluster-protocol/slot-placement.ts';
import type { AttemptReport, CheckpointReport, CommandsResponse, HeartbeatRequest, HeartbeatResponse, RegistrationRequest, SubtaskStateReport, TaskManagerCommand } from '../../cluster-protocol/messages.ts';

export interface RegisteredTaskManager {
  readonly id: string;
  readonly slots: number;
  readonly data: EndpointAddress;
  readonly metrics: EndpointAddress | undefined;
  /** The data endpoint of each slot. */
  readonly slotData: readonly EndpointAddress[];
  /** The attempt that holds each slot (undefined: free). */
  readonly slotHolders: (string | undefined)[];
  readonly registeredAt: number;
  lastHeartbeat: number;
  commands: TaskManagerCommand[];
  /** The TaskManager's open request for commands, if one waits. */
  waiter: ((r: CommandsResponse) => void) | undefined;
}

export interface RegistryListener {
  onReport(tmId: string, report: AttemptReport): void;
  onTaskStates?(tmId: string, states: readonly SubtaskStateReport[]): void;
  onCheckpoints?(tmId: string, reports: readonly CheckpointReport[]): void;
  /** The TaskManager is gone, or what it ran is (`why` says which, for the attempt's error). */
  onLost(tmId: string, why: string): void;
}

/** How long a request for commands is held open when there are none. */
export const COMMAND_POLL_MS = 20_000;

export class TaskManagerRegistry {
  readonly taskManagers = new Map<string, RegisteredTaskManager>();
  private readonly listeners = new Set<RegistryListener>();
  private shuttingDown = false;

  constructor(
    readonly heartbeatIntervalMs = 1000,
    /** `heartbeat.timeout`: a TaskManager silent this long is lost. */
    readonly heartbeatTimeoutMs = 10_000,
  ) {}

  listen(l: RegistryListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  register(r: RegistrationRequest, now: number): void {
    const slotData = r.slotData?.length === r.slots ? r.slotData : Array.from({ length: r.slots }, () => r.data);
    // A TaskManager that registers again starts afresh: it cancelled what it ran before (it
    // was told it is unknown, by a stale answer too), and drops its reports of it, so attempts
    // that involve it would wait for them forever. They fail now, as for a lost one.
    const known = this.taskManagers.get(r.id);
    if (known) {
      known.waiter?.({ commands: [] });
      for (const l of this.listeners) l.onLost(r.id, 'it registered again, so what it ran before is gone');
    }
    const slotHolders = new Array<string | undefined>(r.slots).fill(undefined);
    this.taskManagers.set(r.id, { id: r.id, slots: r.slots, data: r.data, metrics: r.metrics, slotData, slotHolders, registeredAt: now, lastHeartbeat: now, commands: [], waiter: undefined });
  }

  heartbeat(id: string, r: HeartbeatRequest, now: number): HeartbeatResponse {
    const tm = this.taskManagers.get(id);
    if (!tm) return { unknown: true };
    tm.lastHeartbeat = now;
    for (const report of r.reports) for (const l of this.listeners) l.onReport(id, report);
    if (r.tasks && r.tasks.length > 0) for (const l of this.listeners) l.onTaskStates?.(id, r.tasks);
    if (r.checkpoints && r.checkpoints.length > 0) for (const l of this.listeners) l.onCheckpoints?.(id, r.checkpoints);
    return {};
  }

  /** Queues a command for a TaskManager; its open request for commands gets it at once. */
  send(id: string, command: TaskManagerCommand): boolean {
    const tm = this.taskManagers.get(id);
    if (!tm) return false;
    tm.commands.push(command);
    const waiter = tm.waiter;
    if (waiter) {
      tm.waiter = undefined;
      waiter({ commands: tm.commands.splice(0) });
    }
    return true;
  }

  /** A TaskManager's request for commands: answered at once when some wait, else when one comes or after `waitMs`. */
  takeCommands(id: string, waitMs = COMMAND_POLL_MS): Promise<CommandsResponse> {
    if (this.shuttingDown) return Promise.resolve({ commands: [], shuttingDown: true });
    const tm = this.taskManagers.get(id);
    if (!tm) return Promise.resolve({ commands: [], unknown: true });
    if (tm.commands.length > 0) return Promise.resolve({ commands: tm.commands.splice(0) });
    // One open request per TaskManager: an older one is answered empty.
    tm.waiter?.({ commands: [] });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (tm.waiter !== answer) return;
        tm.waiter = undefined;
        resolve({ commands: [] });
      }, waitMs);
      const answer = (r: CommandsResponse) => {
        clearTimeout(timer);
        resolve(r);
      };
      tm.waiter = answer;
    });
  }

  /** The JobManager stops: every open request for commands is told so. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const tm of this.taskManagers.values()) {
      tm.waiter?.({ commands: [], shuttingDown: true });
      tm.waiter = undefined;
    }
  }

  /** Removes TaskManagers whose heartbeat is older than the timeout; returns their ids. */
  expire(now: number): string[] {
    const lost: string[] = [];
    for (const tm of this.taskManagers.values()) {
      if (now - tm.lastHeartbeat > this.heartbeatTimeoutMs) lost.push(tm.id);
    }
    for (const id of lost) this.remove(id, `it stopped sending heartbeats for more than ${this.heartbeatTimeoutMs}ms`);
    return lost;
  }

  /**
   * A TaskManager that stops says so (as Flink's disconnectTaskManager): it is lost at once,
   * so its attempts end now rather than after the heartbeat timeout. False if it was unknown.
   */
  disconnect(id: string): boolean {
    if (!this.taskManagers.has(id)) return false;
    this.remove(id, 'it disconnected (it is stopping)');
    return true;
  }

  private remove(id: string, why: string): void {
    const tm = this.taskManagers.get(id)!;
    this.taskManagers.delete(id);
    tm.waiter?.({ commands: [], unknown: true });
    for (const l of this.listeners) l.onLost(id, why);
  }

  /** Checks for lost TaskManagers every heartbeat interval; returns the stop function. */
  startExpiry(now: () => number = Date.now): () => void {
    const timer = setInterval(() => this.expire(now()), this.heartbeatIntervalMs);
    return () => clearInterval(timer);
  }

  totalSlots(): number {
    let n = 0;
    for (const tm of this.taskManagers.values()) n += tm.slots;
    return n;
  }

  /** Slots no attempt holds (Flink's slots-available). */
  availableSlots(): number {
    let n = 0;
    for (const tm of this.taskManagers.values()) for (const h of tm.slotHolders) if (h === undefined) n++;
    return n;
  }

  /** The free slots in registration order: their TaskManager, index there and data endpoint. */
  freeSlots(): SlotOffer[] {
    return [...this.taskManagers.values()]
      .sort((a, b) => a.registeredAt - b.registeredAt || a.id.localeCompare(b.id))
      .flatMap((tm) => tm.slotData.flatMap((address, index) => (tm.slotHolders[index] === undefined ? [{ owner: tm.id, index, address }] : [])));
  }

  /** `holder` (an attempt) takes the slots of its placement, which must be free. */
  allocate(holder: string, placement: Pick<Placement, 'slotOwners' | 'slotIndexes'>): void {
    placement.slotOwners.forEach((owner, s) => {
      const holders = this.taskManagers.get(owner)?.slotHolders;
      const index = placement.slotIndexes[s]!;
      if (holders && holders[index] === undefined) holders[index] = holder;
    });
  }

  /** `holder` gives back its slots: on one TaskManager (its part there ended), or all. */
  release(holder: string, taskManagerId?: string): void {
    for (const tm of this.taskManagers.values()) {
      if (taskManagerId !== undefined && tm.id !== taskManagerId) continue;
      tm.slotHolders.forEach((h, i) => {
        if (h === holder) tm.slotHolders[i] = undefined;
      });
    }
  }
}
