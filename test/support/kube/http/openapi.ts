// GET /openapi/v3 (the root: one URL per group-version) and /openapi/v3/<group-version>.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../errors.ts';
import type { OpenApiDocuments } from '../openapi/documents.ts';
import { sendError, sendJson } from './handlers.ts';

export function serveOpenApi(docs: OpenApiDocuments, pathname: string, res: ServerResponse): void {
  if (pathname === '/openapi/v3') return sendJson(res, 200, docs.root());
  const text = docs.document(pathname.slice('/openapi/v3/'.length));
  if (text === undefined) return sendError(res, new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}));
  // The URL carries the document's hash: what it names never changes, as the real server says.
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'public, immutable' });
  res.end(text);
}
