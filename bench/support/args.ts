/** Command-line flags of the benchmarks: `--name value`, numbers only. */
import { pathToFileURL } from 'node:url';

/** The number after `--name`, or `fallback` when absent; anything but a positive number is an error. */
export function numberFlag(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`--${name} needs a positive number, got ${String(argv[i + 1])}`);
  return v;
}

/** As numberFlag, but the value must be a whole number. */
export function intFlag(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const v = numberFlag(name, fallback, argv);
  if (!Number.isSafeInteger(v)) throw new RangeError(`--${name} needs a whole number, got ${v}`);
  return v;
}

/** True when this module is the script node was started with (a standalone run). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === pathToFileURL(script).href;
}
