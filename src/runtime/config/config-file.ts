/**
 * The runtime's configuration file: `config.yaml` in the directory given by --config-dir or
 * WEIR_CONF_DIR, as Flink reads it from FLINK_CONF_DIR. Its format is config-yaml.ts's; the
 * command line's -D settings win over it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WeirError, errorMessage } from '../../errors/index.ts';
import { parseConfigYaml } from './config-yaml.ts';

export const CONFIG_FILE_NAME = 'config.yaml';

export function readConfigDir(dir: string): Record<string, string> {
  const file = join(dir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WeirError('INVALID_CONFIGURATION', `cannot read the configuration file ${file}: ${errorMessage(err)}`, false, { cause: err });
  }
  return parseConfigYaml(text, file);
}

