// The image map for Weir's own runtime image: any image whose repository ends in `weir`
// runs the repo's `weir` CLI, and a pod's `command: [weir, ...]` or `[node, ...]` maps to
// the local binaries, so operator-written pod specs run unchanged.
import { fileURLToPath } from 'node:url';
import type { ImageSpec } from './kubelet/images.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function weirImages(extra: Record<string, ImageSpec> = {}): (image: string) => ImageSpec | undefined {
  const weir = [process.execPath, `${REPO_ROOT}bin/weir.mjs`];
  const spec: ImageSpec = { entrypoint: weir, commands: { weir, node: [process.execPath] }, workingDir: REPO_ROOT };
  return (image) => {
    const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
    return extra[image] ?? extra[repo] ?? (/(^|\/)weir$/.test(repo) ? spec : undefined);
  };
}
