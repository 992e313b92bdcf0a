// The real kubectl 1.31 binary for end-to-end tests (see layer-binary.ts for where it comes from).
import { layerBinary, runLayerBinary } from './layer-binary.ts';
import type { ToolOptions, ToolResult } from './layer-binary.ts';

export function kubectlBinary(): string {
  return layerBinary('kubectl');
}

/** Runs kubectl with `args` against the cluster of `opts.kubeconfig`. */
export function runKubectl(args: readonly string[], opts?: ToolOptions): Promise<ToolResult> {
  return runLayerBinary('kubectl', args, opts);
}
