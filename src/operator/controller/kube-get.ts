/**
 * A GET of any API path through client-node's own request machinery, so authentication,
 * TLS and proxies follow the kubeconfig exactly as the generated clients do. The informer
 * needs it because a list by collection path has no typed client for arbitrary resources.
 */
import { createConfiguration, HttpMethod, ServerConfiguration } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { WeirError } from '../../runtime/errors.ts';

export async function kubeGetJson(kc: KubeConfig, path: string, query: Record<string, string | undefined>, signal?: AbortSignal): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new WeirError('KUBE_NO_CLUSTER', 'the kubeconfig has no current cluster', false);
  const server = new ServerConfiguration<Record<string, string>>(cluster.server, {});
  const ctx = server.makeRequestContext(path, HttpMethod.GET);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) ctx.setQueryParam(name, value);
  ctx.setHeaderParam('Accept', 'application/json');
  if (signal) ctx.setSignal(signal);
  await kc.applySecurityAuthentication(ctx);
  const config = createConfiguration({ baseServer: server, authMethods: { default: kc } });
  const response = await config.httpApi.send(ctx).toPromise();
  const text = await response.body.text();
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
    const code = response.httpStatusCode;
    // 5xx, 429 (throttled) and 410 (an expired continue token) go away by trying again.
    const retriable = code >= 500 || code === 429 || code === 410;
    throw new WeirError('KUBE_API_ERROR', `GET ${path}: HTTP ${code}: ${statusMessage(text)}`, retriable);
  }
  return JSON.parse(text) as unknown;
}

function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch (err) {
    // Not a Status object (e.g. a proxy's HTML page): the raw text is the best message.
    if (!(err instanceof SyntaxError)) throw err;
  }
  return text.slice(0, 200);
}
