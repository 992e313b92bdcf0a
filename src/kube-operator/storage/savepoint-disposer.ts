/**
 * Deletes a savepoint that left the history. The operator reaches `file://` locations (and
 * plain paths) on a volume it shares with the JobManagers; other schemes come with their
 * storages, and until then their savepoints are kept (the refusal is logged).
 */
import { rm } from 'node:fs/promises';
import { storagePath } from '../../runtime/checkpoint/checkpoint-config.ts';
import type { SavepointDisposer } from '../reconciler/perform-actions.ts';

export const disposeFileSavepoint: SavepointDisposer = async (location) => {
  await rm(storagePath('savepoint location', location), { recursive: true, force: true });
};
