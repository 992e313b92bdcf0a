import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { startKubelet } from './kubelet/kubelet.ts';
import type { Kubelet } from './kubelet/kubelet.ts';
import { startKubeServer } from './server.ts';
import type { KubeServer } from './server.ts';
import { eventually } from '../eventually.ts';
import { apiError, fixture } from './test-helpers.ts';

const NODE = [process.execPath];

describe('process kubelet', () => {
  let server: KubeServer;
  let kubelet: Kubelet;
  let core: CoreV1Api;
  before(async () => {
    server = await startKubeServer();
    core = server.kubeconfig.makeApiClient(CoreV1Api);
    kubelet = startKubelet({
      server,
      images: {
        'test/exit': { entrypoint: [...NODE, fixture('exit-after.mjs')] },
        'test/http': { entrypoint: [...NODE, fixture('http-server.mjs')], commands: { node: NODE } },
        'test/http:v2': { entrypoint: [...NODE, fixture('http-server.mjs')], env: { IMAGE_VERSION: '2' } },
      },
      backoff: { initialMs: 200, maxMs: 400 },
    });
  });
  after(async () => {
    await kubelet.stop();
    await server.close();
  });

  async function pod(name: string): Promise<V1Pod> {
    return core.readNamespacedPod({ name, namespace: 'default' });
  }

  async function waitFor(name: string, test: (p: V1Pod) => boolean, what: string): Promise<V1Pod> {
    return eventually(async () => {
      const p = await pod(name);
      return test(p) ? p : undefined;
    }, 30_000, `${name}: ${what}`);
  }

  async function gone(name: string): Promise<void> {
    await eventually(async () => {
      try {
        await pod(name);
        return undefined;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return true;
        throw err;
      }
    }, 30_000, `${name} deleted`);
    assert.equal((await apiError(pod(name))).code, 404);
  }

  it('restarts a container that exits, raising restartCount, until the pod is deleted', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'crasher' },
        spec: { containers: [{ name: 'main', image: 'test/exit:1', terminationMessagePolicy: 'FallbackToLogsOnError', env: [{ name: 'EXIT_CODE', value: '3' }] }] },
      },
    });
    const p = await waitFor('crasher', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2, 'two restarts');
    const cs = p.status!.containerStatuses![0]!;
    assert.equal(p.spec?.nodeName, 'weir-node');
    assert.equal(p.status?.phase, 'Running');
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.match(cs.lastState?.terminated?.message ?? '', /started crasher/);
    assert.equal(await core.readNamespacedPodLog({ name: 'crasher', namespace: 'default', previous: true, tailLines: 1 }), 'started crasher\n');
    await core.deleteNamespacedPod({ name: 'crasher', namespace: 'default' });
    await gone('crasher');
  });

  it('leaves a pod with an unmapped image Pending in ErrImagePull', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'noimage' }, spec: { containers: [{ name: 'c', image: 'nowhere/x:1' }] } } });
    const p = await waitFor('noimage', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull', 'ErrImagePull');
    assert.equal(p.status?.phase, 'Pending');
    await core.deleteNamespacedPod({ name: 'noimage', namespace: 'default' });
    await gone('noimage');
  });

  it('ends pods that do not restart in Succeeded or Failed', async () => {
    for (const [name, code, policy] of [['done-ok', '0', 'Never'], ['done-bad', '2', 'Never'], ['done-onfailure', '0', 'OnFailure']] as const) {
      await core.createNamespacedPod({
        namespace: 'default',
        body: { metadata: { name }, spec: { restartPolicy: policy, containers: [{ name: 'main', image: 'test/exit', env: [{ name: 'EXIT_CODE', value: code }] }] } },
      });
    }
    const ok = await waitFor('done-ok', (x) => x.status?.phase === 'Succeeded', 'Succeeded');
    assert.equal(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    const bad = await waitFor('done-bad', (x) => x.status?.phase === 'Failed', 'Failed');
    assert.equal(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 2);
    assert.equal(bad.status?.containerStatuses?.[0]?.restartCount, 0);
    await waitFor('done-onfailure', (x) => x.status?.phase === 'Succeeded', 'Succeeded');
    // Finished pods are deleted at once: nothing runs to give a grace period to.
    await core.deleteNamespacedPod({ name: 'done-ok', namespace: 'default' });
    assert.equal((await apiError(pod('done-ok'))).code, 404);
  });

  it('runs a pod on its own address with env from the spec, and reports readiness from the probe', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cfg' }, data: { key: 'from-config' } } });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'sec' }, stringData: { key: 'from-secret' } } });
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          containers: [{
            name: 'web', image: 'test/http', command: ['node', fixture('http-server.mjs')], args: ['--name', '$(POD_NAME)'],
            workingDir: '/tmp',
            env: [
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'FROM_CONFIG', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'key' } } },
              { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'sec', key: 'key' } } },
              { name: 'EXPANDED', value: 'pod-$(POD_NAME)' },
              { name: 'READY_AFTER_MS', value: '300' },
              { name: 'MEMORY_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            ],
            readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
            resources: { limits: { memory: '1536Mi', cpu: '500m' } },
          }],
        },
      },
    });
    const running = await waitFor('web', (x) => x.status?.phase === 'Running', 'Running');
    const ip = running.status!.podIP!;
    assert.match(ip, /^127\.\d+\.\d+\.\d+$/);
    assert.equal(running.status?.hostIP, '127.0.0.1');
    const ready = await waitFor('web', (x) => x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'Ready');
    assert.equal(ready.status?.containerStatuses?.[0]?.ready, true);
    const body = await (await fetch(`http://${ip}:8080/`)).json() as Record<string, unknown>;
    assert.deepEqual(body, {
      hostname: 'web', podIP: ip, address: { address: ip, family: 'IPv4', port: 8080 }, argv: ['--name', 'web'], cwd: '/tmp',
      fromConfig: 'from-config', fromSecret: 'from-secret', expanded: 'pod-web', memoryMi: '1536',
    });
    assert.equal(running.status?.qosClass, 'Guaranteed');
  });

  it('mounts configMap, secret and emptyDir volumes at their mount paths (exec probes too), and refreshes them', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'conf' }, data: { 'weir.yaml': 'parallelism: 2\n' } } });
    await core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'creds' }, stringData: { token: 's3cret', other: 'x' } } });
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'vols' },
        spec: {
          terminationGracePeriodSeconds: 1,
          volumes: [
            { name: 'conf', configMap: { name: 'conf' } },
            { name: 'creds', secret: { secretName: 'creds', items: [{ key: 'token', path: 'auth/token' }] } },
            { name: 'scratch', emptyDir: {} },
          ],
          containers: [{
            name: 'web', image: 'test/http', workingDir: '/opt/weir',
            readinessProbe: { exec: { command: ['node', '-e', 'process.exit(require("fs").existsSync("/data/ready") ? 0 : 1)'] }, periodSeconds: 1 },
            volumeMounts: [{ name: 'conf', mountPath: '/etc/weir' }, { name: 'creds', mountPath: '/var/run/creds' }, { name: 'scratch', mountPath: '/data' }],
          }],
        },
      },
    });
    await waitFor('vols', (x) => x.status?.phase === 'Running', 'Running');
    const ip = kubelet.podIP('default', 'vols')!;
    const file = async (path: string, write?: string): Promise<string> => {
      const q = new URLSearchParams({ path, ...(write === undefined ? {} : { write }) });
      return eventually(async () => {
        const res = await fetch(`http://${ip}:8080/file?${q.toString()}`).catch(() => undefined);
        return res?.ok ? res.text() : undefined;
      }, 30_000, `file ${path}`);
    };
    assert.equal(await file('/etc/weir/weir.yaml'), 'parallelism: 2\n');
    assert.equal(await file('/var/run/creds/auth/token'), 's3cret');
    assert.equal(await file('/data/state', 'kept'), 'kept');
    assert.equal((await pod('vols')).status?.containerStatuses?.[0]?.ready, false);
    await file('/data/ready', 'yes');
    await waitFor('vols', (x) => x.status?.containerStatuses?.[0]?.ready === true, 'ready by exec probe');
    assert.equal(await file('relative.txt', 'in-workdir'), 'in-workdir');
    await core.replaceNamespacedConfigMap({ name: 'conf', namespace: 'default', body: { metadata: { name: 'conf' }, data: { 'weir.yaml': 'parallelism: 4\n' } } });
    await eventually(async () => ((await file('/etc/weir/weir.yaml')) === 'parallelism: 4\n' ? true : undefined), 30_000, 'refreshed config');
    await core.deleteNamespacedPod({ name: 'vols', namespace: 'default' });
    await gone('vols');
  });

  it('a claim of the default class (kind\'s local-path) is bound when its first pod starts, and pods mounting it share its files', async () => {
    const claim = await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { metadata: { name: 'state' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } });
    assert.equal(claim.spec?.storageClassName, 'standard');
    assert.equal(claim.status?.phase, 'Pending');
    const sc = server.api.get('storage.k8s.io/v1', 'StorageClass', '', 'standard');
    assert.deepEqual([sc.provisioner, sc.volumeBindingMode, sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class']], ['rancher.io/local-path', 'WaitForFirstConsumer', 'true']);
    // Waiting for its first consumer: nothing is bound before a pod uses it.
    assert.equal((await core.readNamespacedPersistentVolumeClaim({ name: 'state', namespace: 'default' })).spec?.volumeName, undefined);
    const podUsing = (name: string, mountPath: string) => core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name },
        spec: {
          terminationGracePeriodSeconds: 1,
          volumes: [{ name: 'state', persistentVolumeClaim: { claimName: 'state' } }],
          containers: [{ name: 'web', image: 'test/http', volumeMounts: [{ name: 'state', mountPath }] }],
        },
      },
    });
    await podUsing('writer', '/var/lib/state');
    await podUsing('reader', '/mnt/shared');
    await waitFor('writer', (x) => x.status?.phase === 'Running', 'Running');
    await waitFor('reader', (x) => x.status?.phase === 'Running', 'Running');
    const bound = await core.readNamespacedPersistentVolumeClaim({ name: 'state', namespace: 'default' });
    assert.equal(bound.status?.phase, 'Bound');
    assert.equal(bound.spec?.volumeName, `pvc-${claim.metadata?.uid}`);
    const pv = await core.readPersistentVolume({ name: bound.spec!.volumeName! });
    assert.deepEqual([pv.status?.phase, pv.spec?.claimRef?.name, pv.spec?.persistentVolumeReclaimPolicy, pv.spec?.storageClassName], ['Bound', 'state', 'Delete', 'standard']);
    const file = (pod: string, path: string, write?: string) => eventually(async () => {
      const q = new URLSearchParams({ path, ...(write === undefined ? {} : { write }) });
      const res = await fetch(`http://${kubelet.podIP('default', pod)!}:8080/file?${q.toString()}`).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    }, 30_000, `${pod}: file ${path}`);
    assert.equal(await file('writer', '/var/lib/state/_metadata', 'checkpoint 7'), 'checkpoint 7');
    assert.equal(await file('reader', '/mnt/shared/_metadata'), 'checkpoint 7');
    await core.deleteNamespacedPod({ name: 'writer', namespace: 'default' });
    await core.deleteNamespacedPod({ name: 'reader', namespace: 'default' });
    await gone('writer');
    await gone('reader');
    // The claim gone, its provisioned volume goes too (reclaim policy Delete).
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'state', namespace: 'default' });
    await eventually(() => (server.api.tryGet('v1', 'PersistentVolume', '', pv.metadata!.name!) === undefined ? true : undefined), 30_000, 'the volume reclaimed');
  });

  it('restarts a pod whose process is SIGKILLed, as after a node failure', async () => {
    const before = await pod('web');
    assert.equal(kubelet.killPod('default', 'web'), 1);
    const after = await waitFor('web', (x) => x.status?.containerStatuses?.[0]?.restartCount === (before.status?.containerStatuses?.[0]?.restartCount ?? 0) + 1, 'restart');
    assert.equal(after.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 137);
    assert.equal(after.status?.podIP, before.status?.podIP);
  });

  it('restarts a container whose liveness probe fails', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'unhealthy' },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'web', image: 'test/http', env: [{ name: 'READY_AFTER_MS', value: '600000' }],
            livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1 },
          }],
        },
      },
    });
    const p = await waitFor('unhealthy', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'liveness restart');
    assert.equal(p.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 0);
    await core.deleteNamespacedPod({ name: 'unhealthy', namespace: 'default', gracePeriodSeconds: 0 });
    await gone('unhealthy');
  });

  it('holds readiness until a startup probe passes, and restarts a container when its image changes', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'slow' },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'web', image: 'test/http', env: [{ name: 'READY_AFTER_MS', value: '1500' }],
            startupProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 10 },
          }],
        },
      },
    });
    const running = await waitFor('slow', (x) => x.status?.phase === 'Running', 'Running');
    assert.equal(running.status?.containerStatuses?.[0]?.started, false);
    assert.equal(running.status?.containerStatuses?.[0]?.ready, false);
    const ready = await waitFor('slow', (x) => x.status?.containerStatuses?.[0]?.ready === true, 'started and ready');
    assert.equal(ready.status?.containerStatuses?.[0]?.started, true);
    ready.spec!.containers[0]!.image = 'test/http:v2';
    await core.replaceNamespacedPod({ name: 'slow', namespace: 'default', body: ready });
    const v2 = await waitFor('slow', (x) => x.status?.containerStatuses?.[0]?.image === 'test/http:v2' && x.status.containerStatuses[0].restartCount === 1, 'new image');
    assert.equal(v2.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 0);
    await core.deleteNamespacedPod({ name: 'slow', namespace: 'default', gracePeriodSeconds: 0 });
    await gone('slow');
  });

  it('stops a pod that ignores SIGTERM with SIGKILL once its grace period is over', async () => {
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'stubborn' },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: 'test/http', env: [{ name: 'IGNORE_SIGTERM', value: '1' }] }] },
      },
    });
    await waitFor('stubborn', (x) => x.status?.phase === 'Running', 'Running');
    await eventually(() => (/listening/.test(kubelet.logs('default', 'stubborn') ?? '') ? true : undefined));
    const started = Date.now();
    const deleting = await core.deleteNamespacedPod({ name: 'stubborn', namespace: 'default' });
    assert.equal(deleting.metadata?.deletionGracePeriodSeconds, 1);
    await gone('stubborn');
    assert.equal(Date.now() - started >= 900, true);
  });
});
