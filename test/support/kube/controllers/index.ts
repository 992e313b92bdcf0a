// Starts the in-process controllers that a real control plane runs next to the API server.
import type { KubeApi } from '../api/api.ts';

export function startControllers(api: KubeApi): () => void {
  const stops: (() => void)[] = [];
  void api;
  return () => {
    for (const s of stops) s();
  };
}
