/**
 * A Nexmark query as a job module, for runs on TaskManager processes (the checkpointing
 * bench): `query`, `events` and `rate` (events per second of event time) come as job
 * arguments; each sink writer reports its rows' count and checksum in the job result.
 */
import { defineJob } from '../src/api/index.ts';
import type { NexmarkQueryName } from '../src/connectors/nexmark/index.ts';
import { buildNexmarkQuery } from './nexmark-runtime.ts';
import { ResultChecksumSink } from './support/nexmark-checksum.ts';

export default defineJob((env, args) => {
  const query = (args.query ?? 'q5') as NexmarkQueryName;
  env.setJobName(`nexmark-${query}`);
  buildNexmarkQuery(env, query, { events: Number(args.events ?? 1_000_000), firstEventRate: Number(args.rate ?? 200_000), parallelism: 2 }, (hash) => new ResultChecksumSink(hash));
});
