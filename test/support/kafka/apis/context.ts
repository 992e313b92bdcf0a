// What every API handler receives, and how a handler is bound to its request and response
// schemas: the dispatcher hands it the decoded request and writes what it returns.
import type { BrokerState } from '../broker-state.ts';
import type { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import { readMessage, writeMessage } from '../protocol/schema.ts';
import type { Struct } from '../protocol/schema.ts';
import type { ApiName } from '../protocol/api-keys.ts';

export interface RequestContext {
  state: BrokerState;
  apiVersion: number;
  clientId: string;
  clientHost: string;
  /** A fault-injected error code every partition (or the whole request) must answer with. */
  injectedError: number | null;
  /** True once the client connection is gone, so parked requests stop waiting. */
  isClosed: () => boolean;
}

/** Returned by a handler when Kafka would close the connection instead of answering. */
export const CLOSE_CONNECTION = Symbol('close connection');

/** The response, null when Kafka sends none (Produce with acks=0), or a closed connection. */
export type Outcome<S> = S | null | typeof CLOSE_CONNECTION;

export interface Api {
  readonly name: ApiName;
  handle(r: Reader, ctx: RequestContext, flexible: boolean): Promise<Writer | null | typeof CLOSE_CONNECTION>;
}

export function defineApi<Q, S>(
  name: ApiName,
  request: Struct<Q>,
  response: Struct<S>,
  handler: (req: Q, ctx: RequestContext) => Outcome<S> | Promise<Outcome<S>>,
): Api {
  return {
    name,
    async handle(r, ctx, flexible) {
      const req = readMessage(request, r, ctx.apiVersion, flexible);
      const res = await handler(req, ctx);
      if (res === null) return null;
      if (res === CLOSE_CONNECTION) return CLOSE_CONNECTION;
      return writeMessage(response, new Writer(), res as S, ctx.apiVersion, flexible);
    },
  };
}
