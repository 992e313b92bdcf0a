/**
 * The README's "Run on Kubernetes", after the kind and docker steps, with the real helm and
 * kubectl: install the chart, apply the example, watch it become Ready, change it, suspend
 * and resume it, delete it in the foreground, delete a namespace that holds one, uninstall.
 * Each step checks what a user would see; the test and `npm run e2e:kube` run the same steps.
 */
import assert from 'node:assert/strict';
import type { ToolResult } from '../support/helm/layer-binary.ts';
import type { E2eCluster } from './e2e-cluster.ts';

export interface Step {
  title: string;
  run(e: E2eCluster): Promise<void>;
}

/** stdout of a command that must succeed. */
function ok(r: ToolResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (exit ${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** A `kubectl wait` that must succeed; when it does not, the StreamDeployment, its pods and events say why. */
async function waitOrExplain(e: E2eCluster, args: string[], what: string): Promise<void> {
  const r = await e.kubectl(args);
  if (r.code === 0) return;
  const sdep = await e.kubectl(['get', SDEP, '-o', 'yaml']);
  const pods = await e.kubectl(['get', 'pods', '-o', 'wide']);
  const events = await e.kubectl(['get', 'events']);
  assert.fail(`${what} failed (exit ${r.code}):\n${r.stderr}${r.stdout}\n${sdep.stdout}\n${pods.stdout}\n${events.stdout}`);
}

/** The rows of `kubectl get` or `helm list` output as arrays of cells (columns split on tabs or two or more spaces). */
export function rows(table: string): string[][] {
  return table.trim().split('\n').map((line) => line.trim().split(/\s*\t\s*|\s{2,}/));
}

/**
 * One row of `kubectl get` with its header, as column -> cell. kubectl aligns cells under
 * their header and leaves an unset one blank, so cells are cut at the header's column starts;
 * helm's tab-separated tables are split on tabs.
 */
function rowOf(table: string, name: string): Record<string, string> {
  if (table.includes('\t')) {
    const [header, ...body] = rows(table);
    const row = body.find((r) => r[0] === name);
    assert.ok(row, `no row ${name} in\n${table}`);
    return Object.fromEntries(header!.map((h, i) => [h, row[i] ?? '']));
  }
  const [headerLine, ...lines] = table.trimEnd().split('\n');
  const columns = [...headerLine!.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], start: m.index }));
  const line = lines.find((l) => l.split(/\s+/)[0] === name);
  assert.ok(line, `no row ${name} in\n${table}`);
  return Object.fromEntries(columns.map((c, i) => [c.name, line.slice(c.start, columns[i + 1]?.start ?? line.length).trim()]));
}

const SDEP = 'sdep/fraud-detection';
const EXAMPLE = 'examples/fraud-detection.yaml';
const JM = 'app.kubernetes.io/instance=fraud-detection,app.kubernetes.io/component=jobmanager';
const TM = 'app.kubernetes.io/instance=fraud-detection,app.kubernetes.io/component=taskmanager';

async function podCount(e: E2eCluster, selector: string, namespace = 'default'): Promise<number> {
  const out = ok(await e.kubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'name']), 'listing pods');
  return out.split('\n').filter((l) => l !== '').length;
}

export const README_FLOW: Step[] = [
  {
    title: 'helm install the operator chart into a new namespace',
    async run(e) {
      const out = ok(await e.helm(['install', 'weir-operator', './helm/weir-operator', '--namespace', 'weir-system', '--create-namespace']), 'helm install');
      assert.match(out, /^STATUS: deployed$/m);
      assert.match(out, /kubectl apply -f examples\/fraud-detection\.yaml/);
      ok(await e.kubectl(['-n', 'weir-system', 'rollout', 'status', 'deployment/weir-operator', '--timeout=90s']), 'rollout status');
      const release = rowOf(ok(await e.helm(['list', '-A']), 'helm list'), 'weir-operator');
      assert.deepEqual([release.NAMESPACE, release.REVISION, release.STATUS, release.CHART, release['APP VERSION']], ['weir-system', '1', 'deployed', 'weir-operator-0.1.0', '0.1.0']);
    },
  },
  {
    title: 'kubectl apply the example (validated against the served OpenAPI) and wait until Ready',
    async run(e) {
      assert.equal(ok(await e.kubectl(['apply', '-f', EXAMPLE]), 'kubectl apply').trim(), 'persistentvolumeclaim/fraud-detection-state created\nstreamdeployment.weir.dev/fraud-detection created');
      ok(await e.kubectl(['wait', '--for=condition=Ready', SDEP, '--timeout=100s']), 'kubectl wait Ready');
      const row = rowOf(ok(await e.kubectl(['get', 'sdep']), 'get sdep'), 'fraud-detection');
      assert.deepEqual({ ...row, AGE: undefined }, { NAME: 'fraud-detection', 'JOB STATE': 'RUNNING', LIFECYCLE: 'STABLE', READY: 'True', DEGRADED: 'False', 'LAST SAVEPOINT': '', PARALLELISM: '2', AGE: undefined });
      assert.equal(await podCount(e, TM), 2);
      // The claim that holds checkpoints and savepoints, bound once the job's pods used it.
      assert.equal(ok(await e.kubectl(['get', 'pvc', 'fraud-detection-state', '-o', 'jsonpath={.status.phase}']), 'get pvc'), 'Bound');
      assert.match(ok(await e.kubectl(['logs', '-l', JM]), 'jobmanager logs'), /REST API on http:\/\//);
      assert.match(ok(await e.kubectl(['-n', 'weir-system', 'logs', 'deployment/weir-operator']), 'operator logs'), /leading|lease|StreamDeployment|started/i);
      const explain = ok(await e.kubectl(['explain', 'sdep.spec.job.parallelism']), 'kubectl explain');
      assert.match(explain, /FIELD: parallelism <integer>/);
    },
  },
  {
    title: 'a parallelism the TaskManagers cannot hold is Degraded at a glance; scaling them out deploys it',
    async run(e) {
      ok(await e.kubectl(['patch', SDEP, '--type=merge', '-p', '{"spec":{"job":{"parallelism":3}}}']), 'patch parallelism');
      ok(await e.kubectl(['wait', '--for=condition=Degraded', SDEP, '--timeout=30s']), 'wait Degraded');
      const wide = rowOf(ok(await e.kubectl(['get', 'sdep', '-o', 'wide']), 'get sdep -o wide'), 'fraud-detection');
      assert.deepEqual([wide.LIFECYCLE, wide.READY, wide.DEGRADED, wide.REASON, wide.PARALLELISM], ['STABLE', 'True', 'True', 'ValidationError', '3']);
      assert.match(wide.ERROR ?? '', /^spec\.taskManager\.replicas 2 TaskManager\(s\) with 1 slot\(s\) each offer 2 slots, fewer than the parallelism 3/);
      assert.equal(ok(await e.kubectl(['scale', SDEP, '--replicas=3']), 'kubectl scale').trim(), 'streamdeployment.weir.dev/fraud-detection scaled');
      ok(await e.kubectl(['wait', '--for=condition=Degraded=False', SDEP, '--timeout=30s']), 'wait not Degraded');
      await waitOrExplain(e, ['wait', '--for=jsonpath={.status.lifecycleState}=STABLE', SDEP, '--timeout=100s'], 'wait STABLE');
      ok(await e.kubectl(['wait', '--for=condition=Ready', SDEP, '--timeout=30s']), 'wait Ready');
      assert.equal(await podCount(e, TM), 3);
      const events = ok(await e.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=fraud-detection']), 'get events');
      assert.match(events, /Warning\s+ValidationError\s+streamdeployment\/fraud-detection\s+spec\.taskManager\.replicas 2 TaskManager/);
    },
  },
  {
    title: 'suspend scales the cluster to zero; resume runs the job again',
    async run(e) {
      ok(await e.kubectl(['patch', SDEP, '--type=merge', '-p', '{"spec":{"job":{"state":"suspended"}}}']), 'suspend');
      ok(await e.kubectl(['wait', '--for=jsonpath={.status.lifecycleState}=SUSPENDED', SDEP, '--timeout=60s']), 'wait SUSPENDED');
      ok(await e.kubectl(['wait', '--for=delete', 'pod', '-l', 'app.kubernetes.io/instance=fraud-detection', '--timeout=60s']), 'wait pods gone');
      ok(await e.kubectl(['patch', SDEP, '--type=merge', '-p', '{"spec":{"job":{"state":"running"}}}']), 'resume');
      ok(await e.kubectl(['wait', '--for=condition=Ready', SDEP, '--timeout=100s']), 'wait Ready again');
    },
  },
  {
    title: 'kubectl delete with foreground cascade waits for the job\'s pods and children, then the StreamDeployment is gone',
    async run(e) {
      assert.equal(ok(await e.kubectl(['delete', '-f', EXAMPLE, '--cascade=foreground', '--timeout=90s']), 'delete --cascade=foreground').trim(), 'persistentvolumeclaim "fraud-detection-state" deleted\nstreamdeployment.weir.dev "fraud-detection" deleted');
      assert.equal(ok(await e.kubectl(['get', 'sdep,deploy,svc,cm,pods', '-l', 'app.kubernetes.io/instance=fraud-detection', '-o', 'name']), 'leftovers').trim(), '');
      assert.equal(ok(await e.kubectl(['get', 'pvc', '-o', 'name']), 'claims left').trim(), '');
    },
  },
  {
    title: 'deleting a namespace that holds a StreamDeployment finishes',
    async run(e) {
      ok(await e.kubectl(['create', 'namespace', 'team-a']), 'create namespace');
      ok(await e.kubectl(['-n', 'team-a', 'apply', '-f', EXAMPLE]), 'apply in team-a');
      // Once the operator holds it with its finalizer, only the operator can let it go.
      ok(await e.kubectl(['-n', 'team-a', 'wait', '--for=jsonpath={.metadata.finalizers[0]}=weir.dev/finalizer', SDEP, '--timeout=30s']), 'wait for the finalizer');
      assert.equal(ok(await e.kubectl(['delete', 'namespace', 'team-a', '--timeout=90s']), 'delete namespace').trim(), 'namespace "team-a" deleted');
      assert.equal((await e.kubectl(['get', 'namespace', 'team-a'])).code, 1);
    },
  },
  {
    title: 'helm upgrade to two replicas (with leader election): revision 2, the old release superseded',
    async run(e) {
      assert.match(ok(await e.helm(['upgrade', 'weir-operator', './helm/weir-operator', '--namespace', 'weir-system', '--reuse-values', '--set', 'replicas=2']), 'helm upgrade'), /^Release "weir-operator" has been upgraded\. Happy Helming!$/m);
      ok(await e.kubectl(['-n', 'weir-system', 'rollout', 'status', 'deployment/weir-operator', '--timeout=90s']), 'rollout status');
      const release = rowOf(ok(await e.helm(['list', '-n', 'weir-system']), 'helm list'), 'weir-operator');
      assert.deepEqual([release.REVISION, release.STATUS], ['2', 'deployed']);
      // helm separates columns with tabs (its dates hold double spaces).
      const history = ok(await e.helm(['history', 'weir-operator', '-n', 'weir-system']), 'helm history').trim().split('\n').map((l) => l.split('\t').map((c) => c.trim()));
      assert.deepEqual(history.slice(1).map((r) => [r[0], r[2]]), [['1', 'superseded'], ['2', 'deployed']]);
      assert.equal(await podCount(e, 'app.kubernetes.io/name=weir-operator', 'weir-system'), 2);
    },
  },
  {
    title: 'helm uninstall removes the operator; its release is gone from helm list',
    async run(e) {
      assert.equal(ok(await e.helm(['uninstall', 'weir-operator', '--namespace', 'weir-system', '--wait', '--timeout=90s']), 'helm uninstall').trim(), 'release "weir-operator" uninstalled');
      assert.equal(rows(ok(await e.helm(['list', '-A']), 'helm list')).length, 1, 'only the header');
      // --wait covers the release's own objects; its pods go afterwards, through the garbage
      // collector and their grace period, as on a real cluster.
      assert.equal(ok(await e.kubectl(['-n', 'weir-system', 'get', 'deploy', '-o', 'name']), 'deployments left').trim(), '');
      ok(await e.kubectl(['-n', 'weir-system', 'wait', '--for=delete', 'pod', '-l', 'app.kubernetes.io/name=weir-operator', '--timeout=90s']), 'wait operator pods gone');
      assert.equal(ok(await e.kubectl(['-n', 'weir-system', 'get', 'deploy,pods', '-o', 'name']), 'leftovers').trim(), '');
    },
  },
];
