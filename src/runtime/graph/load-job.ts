/** Imports a job module and checks that it exports a job. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isJobDefinition } from '../../api/environment.ts';
import type { JobDefinition } from '../../api/environment.ts';
import { WeirError, errorMessage } from '../../errors/index.ts';

export async function loadJob(path: string): Promise<JobDefinition> {
  const file = resolve(path);
  if (!existsSync(file)) throw new WeirError('JOB_NOT_FOUND', `job module ${file} does not exist`, false);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    const hint = /require\(\)? ?(of )?ES Module|require\(esm\)/i.test(errorMessage(err))
      ? ' (job modules are ES modules: give the folder a package.json with "type": "module", or name the file .mts)'
      : '';
    throw new WeirError('JOB_LOAD_FAILED', `could not load job module ${path}: ${errorMessage(err)}${hint}`, false, { cause: err });
  }
  if (!isJobDefinition(mod.default)) {
    throw new WeirError('NOT_A_JOB', `${path} must export a job as its default export: export default defineJob(async (env, args) => { ... })`, false);
  }
  return mod.default;
}
