// What every API handler receives, and the handler shape the dispatcher calls.
import type { BrokerState } from '../broker-state.ts';
import type { Reader } from '../protocol/reader.ts';
import type { Writer } from '../protocol/writer.ts';

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

export type HandlerResult = Writer | null | typeof CLOSE_CONNECTION;

/** Returns the response body, or null when Kafka sends no response (Produce with acks=0). */
export type Handler = (r: Reader, ctx: RequestContext) => Promise<HandlerResult> | HandlerResult;
