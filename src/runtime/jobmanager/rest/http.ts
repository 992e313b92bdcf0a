/** What every REST route shares: errors with an HTTP status, and reading request bodies. */
import type { IncomingMessage } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Handler = (params: string[], url: URL, body: unknown) => unknown;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

type FieldType = 'string' | 'boolean' | 'number';

/** A JSON object body with the given optional fields; anything else is a 400 that says what is wrong. */
export function requestBody(body: unknown, fields: Record<string, FieldType>): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const [key, value] of Object.entries(b)) {
    const type = fields[key];
    if (type === undefined) throw new HttpError(400, `unknown field "${key}" in the request body; known fields: ${Object.keys(fields).join(', ')}`);
    if (value !== null && typeof value !== type) throw new HttpError(400, `field "${key}" must be a ${type}, not ${JSON.stringify(value)}`);
  }
  return b;
}
