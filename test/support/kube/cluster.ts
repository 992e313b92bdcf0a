// One call for a test cluster: the API server plus a process kubelet running Weir's image.
import type { KubeletOptions, Kubelet } from './kubelet/kubelet.ts';
import { startKubelet } from './kubelet/kubelet.ts';
import type { KubeServer, KubeServerOptions } from './server.ts';
import { startKubeServer } from './server.ts';
import { weirImages } from './weir-images.ts';

export interface KubeCluster {
  server: KubeServer;
  kubelet: Kubelet;
  /** Stops the kubelet (killing every pod process), then the server. */
  stop(): Promise<void>;
}

export async function startKubeCluster(
  opts: KubeServerOptions & { kubelet?: Omit<KubeletOptions, 'server' | 'images'> & Partial<Pick<KubeletOptions, 'images'>> } = {},
): Promise<KubeCluster> {
  const server = await startKubeServer(opts);
  const kubelet = startKubelet({ images: weirImages(), ...opts.kubelet, server });
  return {
    server,
    kubelet,
    stop: async () => {
      await kubelet.stop();
      await server.close();
    },
  };
}
