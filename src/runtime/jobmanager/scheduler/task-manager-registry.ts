/**
 * The JobManager's view of its TaskManagers: who registered, when each last
 * heartbeated, the commands waiting for each, and the reports they sent back.
 */
import type { EndpointAddress } from '../../network/tcp/network-endpoint.ts';
import type { AttemptReport, DeploymentDescriptor, HeartbeatRequest, HeartbeatResponse, RegistrationRequest } from '../../cluster-protocol/messages.ts';

export interface RegisteredTaskManager {
  readonly id: string;
  readonly slots: number;
  readonly data: EndpointAddress;
  readonly metrics: EndpointAddress | undefined;
  /** The data endpoint of each slot. */
  readonly slotData: readonly EndpointAddress[];
  readonly registeredAt: number;
  lastHeartbeat: number;
  deploy: DeploymentDescriptor[];
  cancel: { jobId: string; attempt: number }[];
}

export interface RegistryListener {
  onReport(tmId: string, report: AttemptReport): void;
  onLost(tmId: string): void;
}

export class TaskManagerRegistry {
  readonly taskManagers = new Map<string, RegisteredTaskManager>();
  private readonly listeners = new Set<RegistryListener>();

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
    this.taskManagers.set(r.id, { id: r.id, slots: r.slots, data: r.data, metrics: r.metrics, slotData, registeredAt: now, lastHeartbeat: now, deploy: [], cancel: [] });
  }

  heartbeat(id: string, r: HeartbeatRequest, now: number): HeartbeatResponse {
    const tm = this.taskManagers.get(id);
    if (!tm) return { deploy: [], cancel: [], unknown: true };
    tm.lastHeartbeat = now;
    for (const report of r.reports) for (const l of this.listeners) l.onReport(id, report);
    const response = { deploy: tm.deploy, cancel: tm.cancel };
    tm.deploy = [];
    tm.cancel = [];
    return response;
  }

  /** Removes TaskManagers whose heartbeat is older than the timeout; returns their ids. */
  expire(now: number): string[] {
    const lost: string[] = [];
    for (const tm of this.taskManagers.values()) {
      if (now - tm.lastHeartbeat > this.heartbeatTimeoutMs) lost.push(tm.id);
    }
    for (const id of lost) {
      this.taskManagers.delete(id);
      for (const l of this.listeners) l.onLost(id);
    }
    return lost;
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

  /** Every slot in registration order: its TaskManager and its data endpoint. */
  slotList(): { owner: string; address: EndpointAddress }[] {
    return [...this.taskManagers.values()]
      .sort((a, b) => a.registeredAt - b.registeredAt || a.id.localeCompare(b.id))
      .flatMap((tm) => tm.slotData.map((address) => ({ owner: tm.id, address })));
  }
}
