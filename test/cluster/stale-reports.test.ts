/**
 * A TaskManager whose JobManager was replaced by a new leader must not hand the new one
 * reports of the old one's attempts: the new leader reuses their ids (same job id, attempt
 * numbers from 0), so a stale CANCELED would end its attempt, and with it the job. Here a
 * heartbeat carrying a report is on its way when the new leader says it does not know the
 * TaskManager; that heartbeat then fails, and its report must not be queued again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JobManagerConnection } from '../../src/runtime/taskmanager/jobmanager-connection.ts';
import type { AttemptReport } from '../../src/runtime/cluster-protocol/messages.ts';
import { eventually } from '../support/eventually.ts';

const JOB = 'ab'.repeat(16);

test('reports of a heartbeat that failed after a new leader forgot the TaskManager are dropped, not sent to the new leader', async (t) => {
  let registrations = 0;
  const heartbeats: { body: { reports: AttemptReport[] }; res: ServerResponse }[] = [];
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
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connection = new JobManagerConnection(url, () => ({ id: 'tm-1', slots: 1, data: { host: '127.0.0.1', port: 1 }, slotData: [{ host: '127.0.0.1', port: 1 }] }), {
    commands: () => undefined,
    forgotten: () => undefined,
    fatal: (err) => assert.fail(err.message),
    log: () => undefined,
  });
  t.after(async () => {
    await connection.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  await connection.start();
  const old: AttemptReport = { jobId: JOB, attempt: 0, state: 'CANCELED' };
  connection.report(old);
  await eventually(() => (heartbeats.length === 1 && commandPolls.length === 1 ? true : undefined), 30_000, 'a heartbeat and a command poll on their way');
  assert.deepEqual(heartbeats[0]!.body.reports, [old]);

  // The new leader does not know this TaskManager: it registers again.
  commandPolls[0]!.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ commands: [], unknown: true }));
  await eventually(() => (registrations === 2 ? true : undefined), 30_000, 'registered again');
  const fresh: AttemptReport = { jobId: JOB, attempt: 0, state: 'RUNNING' };
  connection.report(fresh);
  // The heartbeat that carried the old report fails; the next one carries only what came after.
  heartbeats[0]!.res.destroy();
  await eventually(() => (heartbeats.length === 2 ? true : undefined), 30_000, 'the next heartbeat');
  assert.deepEqual(heartbeats[1]!.body.reports, [fresh]);
  heartbeats[1]!.res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});
