// The root CA publisher: every namespace has a kube-root-ca.crt ConfigMap with the cluster's
// CA certificate, which pods (and clients that mount it) expect to find.
import type { KubeApi } from '../api/api.ts';
import { present } from '../api/context.ts';
import { create, update } from '../api/write.ts';
import { isRecord, jsonEqual } from '../types.ts';
import { reportControllerError } from './loop.ts';

/** A self-signed certificate standing for the cluster CA (this server speaks plain HTTP; nothing verifies it). */
export const CLUSTER_CA = `-----BEGIN CERTIFICATE-----
MIIBhDCCASugAwIBAgIUZQzPLXM55OdeqaiNe5beC46FrGUwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMd2Vpci10ZXN0LWNhMCAXDTI2MTIwMzA2NTkyNloYDzIxMjYx
MTA5MDY1OTI2WjAXMRUwEwYDVQQDDAx3ZWlyLXRlc3QtY2EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAATkugYoewhRYFwF7yvqsfIH4k3Ed+2Dpdjs9CApNnGX80MQ
OID+pXYxa0XAzNKeEl49irZxP+EFRESDcnKL+Tzko1MwUTAdBgNVHQ4EFgQUCZ1a
cdJdZc81yPcCjHC9NLttCzwwHwYDVR0jBBgwFoAUCZ1acdJdZc81yPcCjHC9NLtt
CzwwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBcqOK8JH3bjRCZ
JBbSh1FapTfagkR7Cm5kZp2J6H2WygIgaqouMyRTMg6RgUqmjt6AQlkoP2JEBRCa
vomY50qfrJk=
-----END CERTIFICATE-----
`;

const NAME = 'kube-root-ca.crt';

export function rootCaPass(api: KubeApi): void {
  const cmType = api.type('v1', 'ConfigMap');
  const data = { 'ca.crt': CLUSTER_CA };
  for (const ns of api.store.list('/namespaces')) {
    const name = ns.metadata.name ?? '';
    if (ns.metadata.deletionTimestamp || (isRecord(ns.status) && ns.status.phase === 'Terminating')) continue;
    try {
      const existing = api.store.get('/configmaps', name, NAME);
      const annotations = { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' };
      if (!existing) create(api.ctx, cmType, name, { metadata: { name: NAME, annotations }, data });
      else if (!jsonEqual(existing.data, data)) update(api.ctx, cmType, name, NAME, { ...present(existing, cmType), data });
    } catch (err) {
      reportControllerError('root-ca-cert-publisher', err);
    }
  }
}
