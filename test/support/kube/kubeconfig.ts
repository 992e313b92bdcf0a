// Kubeconfig documents pointing at the test server, as YAML (for files and processes)
// and as a loaded client-node KubeConfig.
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export function kubeconfigYaml(server: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS verification is marked as skipped.
    clusters: [{ name: 'weir-test', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'weir-test', user: { token: 'weir-test-token' } }],
    contexts: [{ name: 'weir-test', context: { cluster: 'weir-test', user: 'weir-test', namespace } }],
    'current-context': 'weir-test',
  });
}

export function loadKubeConfig(yamlText: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yamlText);
  return kc;
}
