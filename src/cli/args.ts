/** Command-line parsing for `weir`: flags before `--`, job arguments after it. */
import { WeirError } from '../errors/index.ts';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
  /** `-Dkey=value` settings, with Flink's configuration keys. */
  config: Record<string, string>;
  /** Everything after `--`, as `--key value` pairs (a lone `--flag` is "true"). */
  jobArgs: Record<string, string>;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const config: Record<string, string> = {};
  const sep = argv.indexOf('--');
  const own = sep === -1 ? argv : argv.slice(0, sep);
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!;
    if (a.startsWith('-D')) {
      const setting = a.length > 2 ? a.slice(2) : (own[++i] ?? '');
      const eq = setting.indexOf('=');
      if (eq < 1) throw new WeirError('INVALID_ARGUMENTS', `"${a}" should be -Dkey=value, e.g. -Dheartbeat.timeout=10s`, false);
      config[setting.slice(0, eq)] = setting.slice(eq + 1);
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq !== -1) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < own.length && !own[i + 1]!.startsWith('-')) flags.set(a.slice(2), own[++i]!);
      else flags.set(a.slice(2), true);
    } else if (a.startsWith('-') && a.length === 2) {
      const short: Record<string, string> = { p: 'parallelism', h: 'help' };
      const name = short[a[1]!] ?? a.slice(1);
      if (i + 1 < own.length && !own[i + 1]!.startsWith('-')) flags.set(name, own[++i]!);
      else flags.set(name, true);
    } else {
      positional.push(a);
    }
  }
  return { positional, flags, config, jobArgs: sep === -1 ? {} : parseJobArgs(argv.slice(sep + 1)) };
}

function parseJobArgs(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new WeirError('INVALID_ARGUMENTS', `job argument "${a}" should be --name value`, false);
    const eq = a.indexOf('=');
    if (eq !== -1) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out[a.slice(2)] = argv[++i]!;
    else out[a.slice(2)] = 'true';
  }
  return out;
}

export function positiveInt(value: string | true | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value === true || !Number.isInteger(n) || n < 1) throw new WeirError('INVALID_ARGUMENTS', `--${flag} needs a whole number >= 1, got ${String(value)}`, false);
  return n;
}

/** A port flag: undefined when absent, else a whole number from 0 (ephemeral) to 65535. */
export function portFlag(value: string | true | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value === true || !Number.isInteger(n) || n < 0 || n > 65535) throw new WeirError('INVALID_ARGUMENTS', `--${flag} needs a port number from 0 to 65535, got ${String(value)}`, false);
  return n;
}
