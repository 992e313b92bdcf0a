// Fault injection rules consulted by the server for each request: drop the connection
// (before handling, or after handling so the response is lost), delay the response, or
// answer with an error code instead of handling the request.
import { ApiKey, apiName } from './protocol/api-keys.ts';
import type { ApiName } from './protocol/api-keys.ts';
import { ErrorCode } from './protocol/errors.ts';
import type { ErrorCodeName } from './protocol/errors.ts';

/** APIs whose handlers can answer with an injected error in their own response layout. */
export const ERROR_INJECTABLE: readonly ApiName[] = [
  'Produce',
  'Fetch',
  'ListOffsets',
  'FindCoordinator',
  'JoinGroup',
  'SyncGroup',
  'Heartbeat',
  'LeaveGroup',
  'OffsetCommit',
  'OffsetFetch',
  'InitProducerId',
  'AddPartitionsToTxn',
  'AddOffsetsToTxn',
  'EndTxn',
  'TxnOffsetCommit',
];

export type FaultKind = 'drop' | 'delay' | 'error';

interface Rule {
  api: number | null;
  /** Only requests from this client id (kafkajs `clientId`) match; null matches every client. */
  clientId: string | null;
  remaining: number;
}

export class Faults {
  private drops: (Rule & { afterHandling: boolean })[] = [];
  private delays: (Rule & { ms: number })[] = [];
  private errors: (Rule & { code: number })[] = [];
  /** How often each kind of fault fired per API, for assertions. */
  private readonly fired = new Map<string, number>();

  count(kind: FaultKind, api?: ApiName): number {
    if (api !== undefined) return this.fired.get(`${kind}:${api}`) ?? 0;
    let n = 0;
    for (const [key, fired] of this.fired) if (key.startsWith(`${kind}:`)) n += fired;
    return n;
  }

  private record(kind: FaultKind, apiKey: number): void {
    const name = apiName(apiKey) ?? String(apiKey);
    this.fired.set(`${kind}:${name}`, (this.fired.get(`${kind}:${name}`) ?? 0) + 1);
  }

  private static take<R extends Rule>(rules: R[], apiKey: number, clientId: string, extra: (r: R) => boolean = () => true): R | undefined {
    const rule = rules.find(
      (r) => (r.api === null || r.api === apiKey) && (r.clientId === null || r.clientId === clientId) && r.remaining > 0 && extra(r),
    );
    if (rule !== undefined) rule.remaining--;
    return rule;
  }

  dropNext(api: ApiName | null, count: number, afterHandling: boolean, clientId: string | null): void {
    this.drops.push({ api: api === null ? null : ApiKey[api], clientId, remaining: count, afterHandling });
  }

  delayNext(api: ApiName | null, count: number, ms: number, clientId: string | null): void {
    this.delays.push({ api: api === null ? null : ApiKey[api], clientId, remaining: count, ms });
  }

  failNext(api: ApiName, error: ErrorCodeName, count: number, clientId: string | null): void {
    if (!ERROR_INJECTABLE.includes(api)) throw new Error(`error injection is not supported for ${api}`);
    this.errors.push({ api: ApiKey[api], clientId, remaining: count, code: ErrorCode[error] });
  }

  shouldDrop(apiKey: number, clientId: string, afterHandling: boolean): boolean {
    const hit = Faults.take(this.drops, apiKey, clientId, (r) => r.afterHandling === afterHandling) !== undefined;
    if (hit) this.record('drop', apiKey);
    return hit;
  }

  delayFor(apiKey: number, clientId: string): number {
    const ms = Faults.take(this.delays, apiKey, clientId)?.ms ?? 0;
    if (ms > 0) this.record('delay', apiKey);
    return ms;
  }

  errorFor(apiKey: number, clientId: string): number | null {
    const rule = Faults.take(this.errors, apiKey, clientId);
    if (rule === undefined) return null;
    this.record('error', apiKey);
    return rule.code;
  }

  clear(): void {
    this.drops = [];
    this.delays = [];
    this.errors = [];
  }
}
