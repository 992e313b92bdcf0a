// A consumer group's metadata and state, as in Kafka's GroupMetadata: members, generation,
// chosen protocol, leader and committed offsets.

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResult {
  error: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  error: number;
  assignment: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  assignment: Buffer;
  awaitingJoin: ((r: JoinResult) => void) | null;
  awaitingSync: ((r: SyncResult) => void) | null;
  lastHeartbeat: number;
}

export interface OffsetEntry {
  offset: number;
  metadata: string | null;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function splitTpKey(key: string): [string, number] {
  const i = key.lastIndexOf('\u0000');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined; value is the expiry time. */
  readonly pendingMembers = new Map<string, number>();
  readonly offsets = new Map<string, OffsetEntry>();
  rebalanceTimer: NodeJS.Timeout | null = null;
  /** While the initial rebalance delay runs, the join may not complete early. */
  inInitialDelay = false;

  constructor(readonly groupId: string) {}

  /** A joining member must share the protocol type and at least one protocol with everyone. */
  supportsProtocols(protocolType: string, protocols: GroupProtocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return this.candidateProtocols().some((name) => protocols.some((p) => p.name === name));
  }

  private candidateProtocols(): string[] {
    const all = [...this.members.values()];
    const first = all[0];
    if (first === undefined) return [];
    return first.protocols.map((p) => p.name).filter((name) => all.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Each member votes for its most preferred protocol among those everyone supports. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const pick = m.protocols.find((p) => candidates.includes(p.name));
      if (pick !== undefined) votes.set(pick.name, (votes.get(pick.name) ?? 0) + 1);
    }
    let best = candidates[0] ?? '';
    for (const [name, n] of votes) if (n > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  allMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && [...this.members.values()].every((m) => m.awaitingJoin !== null);
  }

  rebalanceTimeoutMs(): number {
    return Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
  }

  /** The JoinGroup answer for a member in the current generation; only the leader sees the members. */
  joinResultFor(memberId: string): JoinResult {
    const isLeader = memberId === this.leaderId;
    const protocolName = this.protocolName ?? '';
    return {
      error: 0,
      generationId: this.generationId,
      protocolName,
      leader: this.leaderId ?? '',
      memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.protocols.find((p) => p.name === protocolName)?.metadata ?? Buffer.alloc(0),
          }))
        : [],
    };
  }
}
