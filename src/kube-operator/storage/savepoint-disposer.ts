/**
 * Deletes a savepoint that left the history, through the runtime's checkpoint storage for its
 * scheme: `file://` (and plain paths) on a volume the operator shares with the JobManagers,
 * `s3://` with the credentials and endpoint of the deployment's configuration.
 */
import { openCheckpointStorage } from '../../runtime/checkpoint/storage/open-checkpoint-storage.ts';
import type { SavepointDisposer } from '../reconciler/perform-actions.ts';

export const disposeSavepoint: SavepointDisposer = async (location, configuration) => {
  const storage = openCheckpointStorage(location, new Map(Object.entries(configuration)));
  try {
    await storage.discard(location);
  } finally {
    storage.close();
  }
};
