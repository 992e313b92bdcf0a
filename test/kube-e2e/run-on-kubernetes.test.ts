// The README's "Run on Kubernetes" with the real helm and kubectl against the Kubernetes test
// server and process kubelet (see readme-flow.ts); `npm run e2e:kube` runs the same steps.
import { after, before, test } from 'node:test';
import { startE2eCluster } from './e2e-cluster.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { README_FLOW } from './readme-flow.ts';

let e2e: E2eCluster;
const transcript: string[] = [];

before(async () => {
  e2e = await startE2eCluster({
    backoff: { initialMs: 500, maxMs: 5000 },
    // Pods are seen ready within 250 ms instead of their probes' 2 s or more; liveness keeps its schedule.
    probeMaxPeriodMs: 250,
    onCommand: (line, r) => transcript.push(`$ ${line}\n${r.stdout}${r.stderr}${r.code === 0 ? '' : `(exit ${r.code})\n`}`),
  });
});

after(async () => {
  await e2e.stop();
});

for (const step of README_FLOW) {
  test(step.title, async (t) => {
    const from = transcript.length;
    try {
      await step.run(e2e);
    } catch (err) {
      // What the user would have seen, to tell a product failure from a fixture one.
      t.diagnostic(transcript.slice(from).join(''));
      throw err;
    }
  });
}
