/**
 * `weir jobmanager` under Kubernetes HA (`high-availability.type: kubernetes`): the process
 * is a candidate for its cluster's lock and serves only `/healthz` as a standby. Once it
 * leads it serves REST and runs the job with the cluster's fixed job id, recovering from the
 * checkpoint pointers a previous leader left, unless the job result store says the job
 * already ended: then it reports that result and runs nothing. A stop signal suspends the job (its
 * checkpoints and HA data stay for the next leader); losing the lock stops it at once and
 * exits 1, so Kubernetes restarts the process as a candidate.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../errors/index.ts';
import type { JobDefinition } from '../api/environment.ts';
import type { Dispatcher } from '../runtime/jobmanager/dispatcher.ts';
import type { JobMaster } from '../runtime/jobmanager/job-master.ts';
import { RestServer } from '../runtime/jobmanager/rest/rest-server.ts';
import type { KubernetesHaConfig } from '../runtime/jobmanager/ha/ha-config.ts';
import { KubernetesLeadership } from '../runtime/jobmanager/ha/kubernetes-leadership.ts';
import { StandbyServer } from '../runtime/jobmanager/ha/standby-server.ts';
import { jobResultStoreLocation, openJobResultStore } from '../runtime/jobmanager/ha/job-result-store.ts';
import { isGloballyTerminal } from '../runtime/jobmanager/job-status.ts';
import { settledWithin, STOP_WAIT_MS } from './stop-wait.ts';

export interface HaJobManagerOptions {
  ha: KubernetesHaConfig;
  dispatcher: Dispatcher;
  job: JobDefinition;
  submit: { parallelism: number | undefined; args: Record<string, string>; config: Record<string, string>; jobPath: string };
  host: string;
  restPort: number;
  log(line: string): void;
}

type Outcome = { kind: 'signal' } | { kind: 'lost' } | { kind: 'ended'; master: JobMaster };

export async function runHaJobManager(o: HaJobManagerOptions): Promise<number> {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const namespace = process.env.POD_NAMESPACE ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  // The pod's name (Kubernetes sets HOSTNAME to it), made unique per process: a restarted
  // container must not inherit its previous run's lock.
  const identity = `${process.env.POD_NAME ?? process.env.HOSTNAME ?? hostname()}_${randomBytes(4).toString('hex')}`;
  const address = `http://${process.env.POD_IP ?? o.host}:${o.restPort}`;
  const config = new Map(Object.entries(o.submit.config));
  const resultsAt = jobResultStoreLocation(config, o.ha.storageDir, o.ha.clusterId);
  const results = resultsAt === undefined ? undefined : openJobResultStore(resultsAt, config);
  if (!results) o.log('no high-availability.storageDir: the job result store is off, so a JobManager restarted after the job ended runs it again');
  let resolveOutcome!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => (resolveOutcome = resolve));
  /** Once the outcome is known this process never leads again: it only winds down. */
  let over = false;
  const settle = (end: Outcome): void => {
    over = true;
    resolveOutcome(end);
  };
  let master: JobMaster | undefined;
  let rest: RestServer | undefined;
  const standby = new StandbyServer(() => leadership.leader());
  const leadership: KubernetesLeadership = new KubernetesLeadership(o.ha, {
    kc,
    namespace,
    identity,
    address,
    onLeading: () => {
      // A process that lost the lock may win it back while it still suspends its job: it must not serve or run anything then.
      if (over) return;
      lead().catch((err: unknown) => {
        o.log(`starting as leader failed: ${errorMessage(err)}`);
        settle({ kind: 'lost' });
      });
    },
    onLost: () => settle({ kind: 'lost' }),
    onError: (err) => o.log(`leader election: ${errorMessage(err)}`),
  });
  const lead = async (): Promise<void> => {
    o.log(`${identity} leads cluster ${o.ha.clusterId}: serving REST at ${address} and running job ${o.ha.jobId}`);
    await standby.close();
    rest = new RestServer(o.dispatcher, { port: o.restPort, host: o.host });
    await rest.listen();
    const recorded = await results?.get(o.ha.jobId);
    if (recorded) o.log(`job ${o.ha.jobId} ended ${recorded.record.status} under an earlier JobManager (job result store at ${resultsAt}): reporting it, not running it${recorded.clean ? '' : ', after finishing its cleanup'}`);
    const m = await o.dispatcher.submit(o.job, { ...o.submit, jobId: o.ha.jobId, ha: leadership.jobStore(results), recorded });
    master = m;
    void m.done.then(() => {
      if (isGloballyTerminal(m.status)) settle({ kind: 'ended', master: m });
    });
  };

  const port = await standby.listen(o.restPort, o.host);
  o.log(`JobManager ${identity} is a standby for cluster ${o.ha.clusterId} (REST port ${port}) until it leads`);
  const onSignal = () => settle({ kind: 'signal' });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  leadership.start();
  let gaveUp = false;
  try {
    const end = await outcome;
    // Lost: stop competing at once. Still a candidate, this process could take the lock again
    // and hold it, renewing, while it suspends its job, so no other JobManager could lead.
    const stopping = end.kind === 'lost' ? leadership.stop() : undefined;
    if (end.kind === 'ended') {
      o.log(`job ${end.master.jobId} ${end.master.status}`);
      if (o.submit.config['execution.shutdown-on-application-finish'] === 'false') {
        o.log('the job ended; serving REST until stopped (execution.shutdown-on-application-finish: false)');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
      }
      return end.master.status === 'FINISHED' ? 0 : end.master.status === 'CANCELED' ? 130 : 1;
    }
    // Not over for the cluster: the job is suspended, its state kept for the next leader.
    if (master) {
      master.suspend();
      // Stopped by a signal, it waits for the tasks' cancel a short while only (stop-wait.ts).
      if (end.kind === 'signal' && !(await settledWithin(master.done, STOP_WAIT_MS))) {
        o.log(`job ${master.jobId} still ${master.status} ${STOP_WAIT_MS / 1000} s after the stop signal: stopping without waiting for its TaskManagers`);
        gaveUp = true;
        return 0;
      }
      await master.done;
      o.log(`job ${master.jobId} ${master.status} (${end.kind === 'lost' ? 'leadership lost' : 'stopped'})`);
    }
    await stopping;
    return end.kind === 'lost' ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await leadership.stop();
    await standby.close();
    await rest?.close();
    results?.close();
    // The job's cancel still waits for the TaskManagers, and would keep the process alive.
    if (gaveUp) process.exit(0);
  }
}
