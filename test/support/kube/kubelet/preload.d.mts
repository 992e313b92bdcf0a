// Types for preload.mjs (plain JavaScript so any node process can load it without tsx).
export interface ClusterResolverOptions {
  dnsFile: string;
  namespace?: string;
  podIP?: string;
}
export function installClusterResolver(options: ClusterResolverOptions): void;
export function clusterLookup(hostname: string): string[] | undefined;
export function installMounts(table: Record<string, string>, hostPaths?: string[]): void;
