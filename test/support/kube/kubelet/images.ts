// Container images as local commands: an image names an entrypoint (ENTRYPOINT), a default
// command (CMD), and the executables inside it that a pod's `command` may name.
import type { JsonObject } from '../types.ts';

export interface ImageSpec {
  /** Host argv prefix used when the container has no `command` (the image's ENTRYPOINT). */
  entrypoint: string[];
  /** Default arguments when the container has no `args` (the image's CMD). */
  cmd?: string[];
  /** Executables in the image, by the name a pod's `command[0]` uses, mapped to host argv prefixes. */
  commands?: Record<string, string[]>;
  workingDir?: string;
  env?: Record<string, string>;
  /** Directories of the image's file system (path in the container -> host directory); volume mounts go over them. */
  files?: Record<string, string>;
}

export type ImageMap = Record<string, ImageSpec> | ((image: string) => ImageSpec | undefined);

export function resolveImage(images: ImageMap, image: string): ImageSpec | undefined {
  if (typeof images === 'function') return images(image);
  if (images[image]) return images[image];
  // Without a tag or digest match, fall back to the repository name.
  const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  return images[repo];
}

/** The argv a container runs, following Kubernetes' command/args over ENTRYPOINT/CMD rules. */
export function containerArgv(image: ImageSpec, container: JsonObject, expand: (s: string) => string): string[] {
  const command = Array.isArray(container.command) ? container.command.map(String).map(expand) : undefined;
  const args = Array.isArray(container.args) ? container.args.map(String).map(expand) : undefined;
  if (command && command.length > 0) {
    const prefix = image.commands?.[command[0]!] ?? [command[0]!];
    return [...prefix, ...command.slice(1), ...(args ?? [])];
  }
  return [...image.entrypoint, ...(args ?? image.cmd ?? [])];
}
