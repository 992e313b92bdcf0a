/**
 * A TaskManager whose JobManager was replaced by a new leader must not hand the new one
 * reports of the old one's attempts: the new leader reuses their ids (same job id, attempt
 * numbers from 0), so a stale CANCELED would end its attempt, and with it the job. A heartbeat
 * carrying a report is on its way when the new leader says it does not know the TaskManager,
 * or when the old JobManager says it is shutting down; that heartbeat then fails, and its
 * report must not be queued again. Shutting down, the old JobManager's attempts are also
 * cancelled here (as for a JobManager that forgot the TaskManager).
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobManagerConnection } from '../../src/runtime/taskmanager/jobmanager-connection.ts';
import type { AttemptReport } from '../../src/runtime/cluster-protocol/messages.ts';
import { eventually } from '../support/eventually.ts';

const JOB = 'ab'.repeat(16);

interface FakeJobManager {
  url: string;
  registrations(): number;
  heartbeats: { body: { reports: AttemptReport[] }; res: ServerResponse }[];
  commandPolls: ServerResponse[];
  close(): Promise<void>;
}

/** Answers registrations at once and holds heartbeats and command polls until the test answers them. */
async function fakeJobManager(): Promise<FakeJobManager> {
  let registrations = 0;
  const heartbeats: FakeJobManager['heartbeats'] = [];
  const commandPolls: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const url = req.url ?? '';
      if (url.endsWith('/register')) {
        registrations++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ heartbeatIntervalMs: 3_600_000 }));
      } else if (url.endsWith('/heartbeat')) heartbeats.push({ body: JSON.parse(text) as { reports: AttemptReport[] }, res });
      else if (url.endsWith('/commands')) commandPolls.push(res);
      else res.writeHead(404).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    registrations: () => registrations,
    heartbeats,
    commandPolls,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function connect(jm: FakeJobManager, forgotten: () => void): JobManagerConnection {
  return new JobManagerConnection(jm.url, () => ({ id: 'tm-1', slots: 1, data: { host: '127.0.0.1', port: 1 }, slotData: [{ host: '127.0.0.1', port: 1 }] }), {
    commands: () => undefined,
    forgotten,
    fatal: (err) => assert.fail(err.message),
    log: () => undefined,
  }, { timeoutMs: 60_000, initialDelayMs: 10, maxDelayMs: 100 });
}

const old: AttemptReport = { jobId: JOB, attempt: 0, state: 'CANCELED' };
const fresh: AttemptReport = { jobId: JOB, attempt: 0, state: 'RUNNING' };

/** A connection that registered, with a heartbeat carrying the old attempt's report and a command poll both held by the JobManager. */
async function heartbeatOnItsWay(t: TestContext) {
  const jm = await fakeJobManager();
  let forgotten = 0;
  const connection = connect(jm, () => void forgotten++);
  t.after(async () => {
    await connection.stop();
    await jm.close();
  });
  await connection.start();
  connection.report(old);
  await eventually(() => (jm.heartbeats.length === 1 && jm.commandPolls.length === 1 ? true : undefined), 30_000, 'a heartbeat and a command poll on their way');
  return { jm, connection, forgotten: () => forgotten };
}

for (const answer of [{ unknown: true }, { shuttingDown: true }]) {
  const what = 'unknown' in answer ? 'a new leader forgot the TaskManager' : 'the JobManager said it shuts down';
  test(`reports of a heartbeat that failed after ${what} are dropped, the attempts cancelled, and nothing of them sent again`, async (t) => {
    const { jm, connection, forgotten } = await heartbeatOnItsWay(t);
    assert.deepEqual(jm.heartbeats[0]!.body.reports, [old]);

    jm.commandPolls[0]!.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ commands: [], ...answer }));
    await eventually(() => (jm.registrations() === 2 ? true : undefined), 30_000, 'registered again');
    assert.equal(forgotten(), 1, "the old JobManager's attempts were cancelled before registering again");
    connection.report(fresh);
    // The heartbeat that carried the old report fails; the next one carries only what came after.
    jm.heartbeats[0]!.res.destroy();
    await eventually(() => (jm.heartbeats.length === 2 ? true : undefined), 30_000, 'the next heartbeat');
    assert.deepEqual(jm.heartbeats[1]!.body.reports, [fresh]);
    jm.heartbeats[1]!.res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

test('an unknown answer to a heartbeat sent before the TaskManager registered again is stale: nothing is cancelled again, no third registration', async (t) => {
  const { jm, connection, forgotten } = await heartbeatOnItsWay(t);
  // The command poll learns first that the JobManager does not know this TaskManager: it registers again.
  jm.commandPolls[0]!.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ commands: [], unknown: true }));
  await eventually(() => (jm.registrations() === 2 ? true : undefined), 30_000, 'registered again');
  assert.equal(forgotten(), 1);
  // Its attempts since are the JobManager's: the heartbeat sent before says "unknown" too late.
  connection.report(fresh);
  jm.heartbeats[0]!.res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ unknown: true }));
  await eventually(() => (jm.heartbeats.length === 2 ? true : undefined), 30_000, 'the next heartbeat');
  assert.equal(forgotten(), 1, 'what was deployed since is not cancelled');
  assert.equal(jm.registrations(), 2, 'no third registration');
  assert.deepEqual(jm.heartbeats[1]!.body.reports, [fresh]);
  jm.heartbeats[1]!.res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});
