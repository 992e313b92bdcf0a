// Group membership as Kafka's GroupCoordinator: join (with MEMBER_ID_REQUIRED), rebalance
// delays and timeouts, sync, heartbeats, leave and session expiry.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors.ts';
import { Group } from './group.ts';
import type { GroupProtocol, JoinResult, Member, SyncResult } from './group.ts';

export interface GroupConfig {
  initialRebalanceDelayMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
}

export interface JoinRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: GroupProtocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: a new member first gets its id with MEMBER_ID_REQUIRED (KIP-394). */
  requireKnownMemberId: boolean;
}

const SESSION_CHECK_MS = 50;

function joinError(error: number, memberId = ''): JoinResult {
  return { error, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i]?.metadata ?? Buffer.alloc(0)));
}

export class GroupCoordinator {
  readonly groups = new Map<string, Group>();
  private readonly ticker: NodeJS.Timeout;
  /** While the broker is down nobody can heartbeat, so nobody expires. */
  paused = false;

  constructor(private readonly cfg: GroupConfig) {
    this.ticker = setInterval(() => this.expireSessions(), SESSION_CHECK_MS);
    this.ticker.unref();
  }

  /** A restarted coordinator reloads its groups and gives every member a fresh session. */
  resume(): void {
    this.paused = false;
    const now = Date.now();
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) m.lastHeartbeat = now;
    }
  }

  close(): void {
    clearInterval(this.ticker);
    for (const g of this.groups.values()) if (g.rebalanceTimer !== null) clearTimeout(g.rebalanceTimer);
  }

  getOrCreate(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = new Group(groupId);
      this.groups.set(groupId, g);
    }
    return g;
  }

  join(req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (req.groupId === '') return joinError(ErrorCode.INVALID_GROUP_ID, req.memberId);
    if (req.sessionTimeoutMs < this.cfg.minSessionTimeoutMs || req.sessionTimeoutMs > this.cfg.maxSessionTimeoutMs) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId);
    }
    const existing = this.groups.get(req.groupId);
    if (existing === undefined && req.memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    const group = existing ?? this.getOrCreate(req.groupId);
    if (group.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);

    if (req.memberId === '' && !req.requireKnownMemberId) return this.addMemberAndRebalance(group, { ...req, memberId: `${req.clientId}-${randomUUID()}` });
    if (req.memberId === '') {
      // JoinGroup v4+: hand out the id first so a lost response cannot leave a ghost member.
      const memberId = `${req.clientId}-${randomUUID()}`;
      group.pendingMembers.set(memberId, Date.now() + req.sessionTimeoutMs);
      return joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    if (group.pendingMembers.delete(req.memberId)) return this.addMemberAndRebalance(group, req);

    const member = group.members.get(req.memberId);
    if (member === undefined) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    member.lastHeartbeat = Date.now();
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req);
      case 'CompletingRebalance':
        if (sameProtocols(member.protocols, req.protocols)) return group.joinResultFor(member.memberId);
        return this.updateMemberAndRebalance(group, member, req);
      case 'Stable':
        if (member.memberId !== group.leaderId && sameProtocols(member.protocols, req.protocols)) return group.joinResultFor(member.memberId);
        return this.updateMemberAndRebalance(group, member, req);
      default:
        return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    }
  }

  private addMemberAndRebalance(group: Group, req: JoinRequest): Promise<JoinResult> {
    const member: Member = {
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: Buffer.alloc(0),
      awaitingJoin: null,
      awaitingSync: null,
      lastHeartbeat: Date.now(),
    };
    if (group.members.size === 0) group.protocolType = req.protocolType;
    group.members.set(member.memberId, member);
    if (group.leaderId === null) group.leaderId = member.memberId;
    return this.park(group, member);
  }

  private updateMemberAndRebalance(group: Group, member: Member, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    return this.park(group, member);
  }

  private park(group: Group, member: Member): Promise<JoinResult> {
    const result = new Promise<JoinResult>((resolve) => {
      // A rejoin replaces any older parked join from the same member (e.g. after a reconnect).
      member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
      member.awaitingJoin = resolve;
    });
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    else this.prepareRebalance(group);
    return result;
  }

  private prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') {
      for (const m of group.members.values()) {
        m.assignment = Buffer.alloc(0);
        const cb = m.awaitingSync;
        m.awaitingSync = null;
        cb?.({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
      }
    }
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    if (group.rebalanceTimer !== null) clearTimeout(group.rebalanceTimer);
    if (wasEmpty && this.cfg.initialRebalanceDelayMs > 0) {
      // group.initial.rebalance.delay.ms: let a starting fleet of consumers join one generation.
      group.inInitialDelay = true;
      group.rebalanceTimer = setTimeout(() => {
        group.inInitialDelay = false;
        group.rebalanceTimer = null;
        this.tryCompleteJoin(group);
        if (group.state === 'PreparingRebalance') this.armRebalanceTimeout(group);
      }, this.cfg.initialRebalanceDelayMs);
      return;
    }
    this.armRebalanceTimeout(group);
    this.tryCompleteJoin(group);
  }

  private armRebalanceTimeout(group: Group): void {
    group.rebalanceTimer = setTimeout(() => {
      group.rebalanceTimer = null;
      this.completeJoin(group);
    }, group.rebalanceTimeoutMs());
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && !group.inInitialDelay && group.allMembersJoined()) this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.rebalanceTimer !== null) clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = null;
    group.inInitialDelay = false;
    // Members that did not rejoin within the rebalance timeout are dropped from the group.
    for (const m of [...group.members.values()]) if (m.awaitingJoin === null) group.members.delete(m.memberId);
    if (group.leaderId === null || !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value ?? null;
    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      group.protocolType = null;
      return;
    }
    group.protocolName = group.selectProtocol();
    group.state = 'CompletingRebalance';
    const now = Date.now();
    for (const m of group.members.values()) {
      const cb = m.awaitingJoin;
      m.awaitingJoin = null;
      m.lastHeartbeat = now;
      cb?.(group.joinResultFor(m.memberId));
    }
  }

  sync(groupId: string, generationId: number, memberId: string, assignments: Map<string, Buffer>): Promise<SyncResult> | SyncResult {
    const fail = (error: number): SyncResult => ({ error, assignment: Buffer.alloc(0) });
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    member.lastHeartbeat = Date.now();
    switch (group.state) {
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        return { error: ErrorCode.NONE, assignment: member.assignment };
      case 'CompletingRebalance': {
        const result = new Promise<SyncResult>((resolve) => {
          member.awaitingSync = resolve;
        });
        if (memberId === group.leaderId) {
          group.state = 'Stable';
          for (const m of group.members.values()) {
            m.assignment = assignments.get(m.memberId) ?? Buffer.alloc(0);
            const cb = m.awaitingSync;
            m.awaitingSync = null;
            cb?.({ error: ErrorCode.NONE, assignment: m.assignment });
          }
        }
        return result;
      }
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    member.lastHeartbeat = Date.now();
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** TxnOffsetCommit v3+ (KIP-447): the committing member and generation must be current, when given. */
  checkGeneration(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    if (group?.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (memberId !== '' && group?.members.has(memberId) !== true) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId >= 0 && generationId !== group?.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  /** LeaveGroup v3 takes a batch of members; each gets its own error code. */
  leave(groupId: string, memberIds: string[]): number[] {
    const group = this.groups.get(groupId);
    return memberIds.map((id) => {
      if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (group.pendingMembers.delete(id)) return ErrorCode.NONE;
      const member = group.members.get(id);
      if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(group, member);
      return ErrorCode.NONE;
    });
  }

  private removeMember(group: Group, member: Member): void {
    group.members.delete(member.memberId);
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingSync?.({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
    member.awaitingJoin = null;
    member.awaitingSync = null;
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  /** Members parked in a join or sync are kept alive, as in Kafka; others must heartbeat. */
  private expireSessions(): void {
    if (this.paused) return;
    const now = Date.now();
    for (const group of this.groups.values()) {
      for (const [id, deadline] of group.pendingMembers) {
        if (deadline < now) {
          group.pendingMembers.delete(id);
          this.tryCompleteJoin(group);
        }
      }
      for (const m of [...group.members.values()]) {
        if (m.awaitingJoin !== null || m.awaitingSync !== null) continue;
        if (now - m.lastHeartbeat > m.sessionTimeoutMs) this.removeMember(group, m);
      }
    }
  }
}
