// Standalone test cluster for manual use:
//   node --import tsx test/support/kube/main.ts [--port N] [--load FILE]... [--kubeconfig OUT]
//        [--kubelet] [--image NAME=COMMAND]... [--verbose]
// Prints the kubeconfig path; stops on SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ImageSpec } from './kubelet/images.ts';
import { startKubelet } from './kubelet/kubelet.ts';
import type { Kubelet } from './kubelet/kubelet.ts';
import { startKubeServer } from './server.ts';
import { weirImages } from './weir-images.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    load: { type: 'string', multiple: true },
    kubeconfig: { type: 'string' },
    kubelet: { type: 'boolean' },
    image: { type: 'string', multiple: true },
    verbose: { type: 'boolean' },
  },
});

const server = await startKubeServer({ port: values.port ? Number(values.port) : 0, load: values.load ?? [], verbose: values.verbose });
const kubeconfigPath = values.kubeconfig ?? join(tmpdir(), `weir-kube-${server.port}.yaml`);
writeFileSync(kubeconfigPath, server.kubeconfigYaml);
let kubelet: Kubelet | undefined;
if (values.kubelet) {
  const extra: Record<string, ImageSpec> = {};
  for (const m of values.image ?? []) {
    const [name, command] = m.split(/=(.*)/s) as [string, string | undefined];
    extra[name] = { entrypoint: (command ?? '').split(' ').filter((s) => s !== '') };
  }
  kubelet = startKubelet({ server, images: weirImages(extra), echoLogs: true });
}
process.stdout.write(`weir test API server on ${server.url}\nexport KUBECONFIG=${kubeconfigPath}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await kubelet?.stop();
  await server.close();
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    stop().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
  });
}
