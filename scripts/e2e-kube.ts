/**
 * `npm run e2e:kube`: the README's "Run on Kubernetes" on the project's Kubernetes test
 * server and process kubelet, with the real helm and kubectl, printing every command and
 * what it printed. `-- --keep` stops after the example is running and leaves the cluster up
 * (KUBECONFIG printed) to try things by hand; Ctrl-C stops it. `-- --logs` echoes pod output.
 */
import { parseArgs } from 'node:util';
import { startE2eCluster } from '../test/kube-e2e/e2e-cluster.ts';
import { README_FLOW } from '../test/kube-e2e/readme-flow.ts';

const { values } = parseArgs({ options: { keep: { type: 'boolean' }, logs: { type: 'boolean' } } });
const out = process.stdout;
const e2e = await startE2eCluster({
  backoff: { initialMs: 500, maxMs: 5000 },
  echoLogs: values.logs,
  onCommand: (line, r) => out.write(`$ ${line}\n${r.stdout}${r.stderr}${r.code === 0 ? '' : `(exit ${r.code})\n`}\n`),
});
out.write(`Kubernetes test cluster on ${e2e.cluster.server.url}\nexport KUBECONFIG=${e2e.kubeconfig}\n\n`);
let failed = false;
// With --keep: install and run the example, then leave it running.
const steps = values.keep ? README_FLOW.slice(0, 2) : README_FLOW;
for (const step of steps) {
  out.write(`== ${step.title}\n`);
  try {
    await step.run(e2e);
  } catch (err) {
    failed = true;
    out.write(`FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    break;
  }
}
if (values.keep && !failed) {
  out.write(`\nThe cluster stays up: export KUBECONFIG=${e2e.kubeconfig} and use kubectl and helm (node_modules/.cache/weir-helm/). Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
await e2e.stop();
out.write(failed ? 'e2e:kube FAILED\n' : 'e2e:kube passed\n');
process.exitCode = failed ? 1 : 0;
