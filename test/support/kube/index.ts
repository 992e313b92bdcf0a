// Entry point for tests: the Kubernetes API test server and the process kubelet.
export { startKubeServer, readObjects } from './server.ts';
export type { KubeServer, KubeServerOptions } from './server.ts';
export { startKubelet } from './kubelet/kubelet.ts';
export type { Kubelet, KubeletOptions } from './kubelet/kubelet.ts';
export type { ImageMap, ImageSpec } from './kubelet/images.ts';
export { weirImages, REPO_ROOT } from './weir-images.ts';
export { startKubeCluster } from './cluster.ts';
export type { KubeCluster } from './cluster.ts';
export { installClusterResolver, installMounts } from './kubelet/preload.mjs';
export type { FaultKind, Faults, HeldRequests, RequestMatch } from './faults.ts';
export type { KubeApi } from './api/api.ts';
export { kubeconfigYaml, loadKubeConfig } from './kubeconfig.ts';
export type { KubeObject } from './types.ts';
