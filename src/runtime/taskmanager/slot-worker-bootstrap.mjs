// A slot's worker thread starts here: TypeScript (the runtime's and the user's job
// modules) loads through tsx, registered in this thread as bin/weir.mjs does in the
// main one, since a worker does not inherit loader hooks registered at run time.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
