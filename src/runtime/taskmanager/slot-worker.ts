/**
 * The entry of a slot's worker thread (loaded by slot-worker-bootstrap.mjs): listens on
 * the slot's data endpoint, runs the deployments the TaskManager's main thread posts,
 * and answers metric scrapes from its own registry. Several attempts may run at once
 * (a new attempt may start while the old one is still being cancelled).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { WeirError, errorMessage } from '../../errors/index.ts';
import { MetricRegistry } from '../metrics/registry.ts';
import { NetworkEndpoint } from '../network/tcp/network-endpoint.ts';
import type { TaskGroup } from '../task/task-group.ts';
import { runSlotDeployment } from './slot-deployment.ts';
import { attemptKey } from './slot-protocol.ts';
import type { FromSlot, SlotResult, SlotWorkerData, ToSlot } from './slot-protocol.ts';
import type { SubtaskStateReport } from '../cluster-protocol/messages.ts';

const port = parentPort as MessagePort;
const data = workerData as SlotWorkerData;
const post = (m: FromSlot) => port.postMessage(m);

const registry = new MetricRegistry();
const running = new Map<string, TaskGroup>();
/** Cancels that arrived while the deployment was still loading (no executor yet). */
const cancelledEarly = new Set<string>();

/** State changes come in bursts (every subtask opens at once): one message per burst. */
const stateReports: SubtaskStateReport[] = [];
function reportTaskState(report: SubtaskStateReport): void {
  if (stateReports.push(report) === 1) queueMicrotask(() => post({ type: 'taskStates', states: stateReports.splice(0) }));
}

function deliver(key: string, result: SlotResult): void {
  try {
    post({ type: 'ended', key, result });
  } catch (err) {
    // collect() values that cannot be copied to the main thread (functions, class instances with handles).
    post({ type: 'ended', key, result: { ...result, state: 'FAILED', collected: [], error: { code: 'RESULT_NOT_TRANSFERABLE', retriable: false, message: `the values of a collect() sink cannot leave the slot's thread: ${errorMessage(err)}` } } });
  }
}

async function start(): Promise<void> {
  let endpoint: NetworkEndpoint;
  try {
    endpoint = await NetworkEndpoint.listen({ host: data.host, port: data.port });
  } catch (err) {
    post({ type: 'startFailed', code: err instanceof WeirError ? err.code : 'NETWORK_LISTEN_FAILED', message: errorMessage(err) });
    return;
  }
  port.on('message', (m: ToSlot) => {
    switch (m.type) {
      case 'deploy': {
        const key = attemptKey(m.deployment);
        runSlotDeployment(m.deployment, m.subtask, {
          tmId: data.tmId,
          endpoint,
          registry,
          bufferTimeoutMs: data.bufferTimeoutMs,
          cancelled: () => cancelledEarly.has(key),
          taskState: (report) => reportTaskState(report),
          checkpoint: (report) => post({ type: 'checkpoint', report }),
          started: (executor) => {
            running.set(key, executor);
            if (cancelledEarly.delete(key)) executor.cancel();
            post({ type: 'running', key });
          },
        }).then(
          (result) => {
            running.delete(key);
            cancelledEarly.delete(key);
            deliver(key, result);
          },
          (err: unknown) => {
            running.delete(key);
            deliver(key, { state: 'FAILED', error: { code: 'INTERNAL', message: errorMessage(err) }, collected: [], records: [] });
          },
        );
        return;
      }
      case 'cancel': {
        const executor = running.get(m.key);
        if (executor) executor.cancel();
        else cancelledEarly.add(m.key);
        return;
      }
      case 'control':
        running.get(m.key)?.post(m.message, (t) => m.vertexId === undefined || t.vertexId === m.vertexId);
        return;
      case 'metrics':
        registry.metrics().then(
          (text) => post({ type: 'metrics', requestId: m.requestId, text }),
          (err: unknown) => {
            post({ type: 'log', line: `slot ${data.slot}: collecting metrics failed: ${errorMessage(err)}` });
            post({ type: 'metrics', requestId: m.requestId, text: '' });
          },
        );
        return;
    }
  });
  post({ type: 'ready', address: endpoint.address });
}

await start();
