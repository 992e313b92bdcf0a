/**
 * The runtime's configuration file (`config.yaml` in the directory given by --config-dir or
 * WEIR_CONF_DIR, as Flink reads FLINK_CONF_DIR): flat `key: value` lines with Flink's keys.
 * Values may be JSON-quoted strings. Settings given with -D on the command line win.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WeirError, errorMessage } from '../../errors/index.ts';

export const CONFIG_FILE_NAME = 'config.yaml';

export function parseConfigFile(text: string, source: string): Record<string, string> {
  const config: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const sep = line.indexOf(':');
    if (sep < 1) throw new WeirError('INVALID_CONFIGURATION', `${source} line ${i + 1}: "${line}" is not "key: value"`, false);
    const key = line.slice(0, sep).trim();
    const value = line.slice(sep + 1).trim();
    if (value.startsWith('"')) {
      try {
        config[key] = String(JSON.parse(value));
      } catch (err) {
        throw new WeirError('INVALID_CONFIGURATION', `${source} line ${i + 1}: the value of ${key} is not a valid quoted string (${errorMessage(err)})`, false);
      }
    } else {
      config[key] = value;
    }
  });
  return config;
}

export function readConfigDir(dir: string): Record<string, string> {
  const file = join(dir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WeirError('INVALID_CONFIGURATION', `cannot read the configuration file ${file}: ${errorMessage(err)}`, false, { cause: err });
  }
  return parseConfigFile(text, file);
}
