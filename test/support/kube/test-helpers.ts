// Helpers shared by the kube test-server tests.
import { ApiException } from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';

export const CRD_FIXTURE = fileURLToPath(new URL('./fixtures/streamdeployment-crd.yaml', import.meta.url));

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Awaits a promise expected to fail with an ApiException and returns its code and parsed Status. */
export async function apiError(p: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiException) {
      const body: unknown = err.body;
      const status = typeof body === 'string' ? (JSON.parse(body) as Record<string, unknown>) : (body as Record<string, unknown>);
      return { code: err.code, status };
    }
    throw err;
  }
  throw new Error('expected the request to fail');
}

/** Moved to test/support/eventually.ts, the one waiting helper of all tests; kept here for older imports. */
export { eventually } from '../eventually.ts';
