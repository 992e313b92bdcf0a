import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigState } from './checkpointing.ts';
const dir = await mkdtemp(join(tmpdir(), 'big-'));
for (let i = 0; i < 2; i++) console.log(await bigState(1_000_000, dir));
await rm(dir, { recursive: true, force: true });
