/**
 * Flink's JobResultStore (FLIP-194): when a job reaches a globally terminal state, its
 * result is written as `<jobId>_DIRTY.json` before anything of the job is cleaned up, and
 * renamed `<jobId>.json` (clean) once the cleanup is done. A JobManager that finds either
 * knows the job is over and must not run it again: it reports the result instead, and a
 * dirty one tells it to finish the cleanup first. Entries live under
 * `job-result-store.storage-path`, by default `<high-availability.storageDir>/job-result-store/<cluster-id>`,
 * on the file system or S3, and are kept once clean (as Flink with
 * `job-result-store.delete-on-commit: false`): in application mode the job's id is fixed,
 * so a deleted entry would let a restarted JobManager run the finished job again.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { WeirError, errorMessage } from '../../../errors/index.ts';
import { childLocation, normalizeLocation, schemeOf } from '../../checkpoint/storage/storage-location.ts';
import { S3Objects } from '../../s3/s3-objects.ts';
import { parseS3Settings } from '../../s3/s3-settings.ts';
import { parseS3Uri } from '../../s3/s3-uri.ts';

export const JOB_RESULT_STORE_PATH_KEY = 'job-result-store.storage-path';

export type GloballyTerminalStatus = 'FINISHED' | 'FAILED' | 'CANCELED';

/** What is kept of a job that is over. */
export interface JobResultRecord {
  readonly jobId: string;
  readonly name: string;
  readonly status: GloballyTerminalStatus;
  readonly startTime: number;
  readonly endTime: number;
  readonly failure?: { readonly code: string; readonly message: string };
}

export interface StoredJobResult {
  readonly record: JobResultRecord;
  /** False while the job's cleanup (checkpoints, HA ConfigMaps) may not be done. */
  readonly clean: boolean;
}

export interface JobResultStore {
  /** Records the result before any cleanup; throws when it cannot (the cleanup must then not start). */
  createDirty(record: JobResultRecord): Promise<void>;
  /** The cleanup is done: the dirty entry becomes the clean one. */
  markClean(jobId: string): Promise<void>;
  /** The recorded result, dirty or clean, or undefined when the job has none. */
  get(jobId: string): Promise<StoredJobResult | undefined>;
  close(): void;
}

const APPLICATION_STATUS: Record<GloballyTerminalStatus, string> = { FINISHED: 'SUCCEEDED', FAILED: 'FAILED', CANCELED: 'CANCELED' };

/** The entry's JSON, shaped as Flink's (`result` with `id`, `application-status`, `net-runtime`, and `version`), plus what Weir reports of the job. */
export function encodeJobResult(r: JobResultRecord): string {
  const result = {
    id: r.jobId,
    'application-status': APPLICATION_STATUS[r.status],
    'net-runtime': r.endTime - r.startTime,
    name: r.name,
    'job-status': r.status,
    'start-time': r.startTime,
    'end-time': r.endTime,
    ...(r.failure ? { failure: r.failure } : {}),
  };
  return `${JSON.stringify({ result, version: 1 })}\n`;
}

/** An entry read back; one that is not an entry is an error naming where it was found. */
export function decodeJobResult(text: string, where: string): JobResultRecord {
  try {
    const { result } = JSON.parse(text) as { result?: Record<string, unknown> };
    const status = result?.['job-status'];
    if (!result || typeof result.id !== 'string' || (status !== 'FINISHED' && status !== 'FAILED' && status !== 'CANCELED')) throw new Error('no result with an id and a job-status of FINISHED, FAILED or CANCELED');
    const failure = result.failure as JobResultRecord['failure'];
    const time = (v: unknown) => (typeof v === 'number' ? v : 0);
    return { jobId: result.id, name: typeof result.name === 'string' ? result.name : '', status, startTime: time(result['start-time']), endTime: time(result['end-time']), ...(failure ? { failure } : {}) };
  } catch (err) {
    throw new WeirError('HA_METADATA_INVALID', `${where} is not a job result: ${errorMessage(err)}`, false, { cause: err });
  }
}

/** Where the entries of `clusterId` go: `job-result-store.storage-path`, else under the HA storage directory; undefined without either. */
export function jobResultStoreLocation(config: ReadonlyMap<string, string>, storageDir: string | undefined, clusterId: string): string | undefined {
  const explicit = config.get(JOB_RESULT_STORE_PATH_KEY);
  if (explicit) return normalizeLocation(explicit, JOB_RESULT_STORE_PATH_KEY);
  if (!storageDir) return undefined;
  return childLocation(childLocation(normalizeLocation(storageDir, 'high-availability.storageDir'), 'job-result-store'), clusterId);
}

/** The store at `location` (a path, `file://` or `s3://`); `config` holds the S3 settings. */
export function openJobResultStore(location: string, config: ReadonlyMap<string, string>): JobResultStore {
  return schemeOf(location) === 's3' ? new S3JobResultStore(location, new S3Objects(parseS3Settings(config))) : new FileJobResultStore(location);
}

const dirtyName = (jobId: string) => `${jobId}_DIRTY.json`;
const cleanName = (jobId: string) => `${jobId}.json`;

function storeFailure(err: unknown, what: string): WeirError {
  return err instanceof WeirError ? err : new WeirError('HA_WRITE_FAILED', `job result store: cannot ${what}: ${errorMessage(err)}`, true, { cause: err });
}

class FileJobResultStore implements JobResultStore {
  constructor(private readonly dir: string) {}

  async createDirty(record: JobResultRecord): Promise<void> {
    const path = childLocation(this.dir, dirtyName(record.jobId));
    try {
      await mkdir(this.dir, { recursive: true });
      // Written aside and renamed: a reader sees a whole entry or none.
      await writeFile(`${path}.tmp`, encodeJobResult(record));
      await rename(`${path}.tmp`, path);
    } catch (err) {
      throw storeFailure(err, `write ${path}`);
    }
  }

  async markClean(jobId: string): Promise<void> {
    const from = childLocation(this.dir, dirtyName(jobId));
    try {
      await rename(from, childLocation(this.dir, cleanName(jobId)));
    } catch (err) {
      throw storeFailure(err, `mark ${from} clean`);
    }
  }

  async get(jobId: string): Promise<StoredJobResult | undefined> {
    for (const [name, clean] of [[cleanName(jobId), true], [dirtyName(jobId), false]] as const) {
      const path = childLocation(this.dir, name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw storeFailure(err, `read ${path}`);
      }
      return { record: decodeJobResult(text, path), clean };
    }
    return undefined;
  }

  close(): void {}
}

class S3JobResultStore implements JobResultStore {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    private readonly location: string,
    private readonly s3: S3Objects,
  ) {
    const { bucket, key } = parseS3Uri(location);
    this.bucket = bucket;
    this.prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  }

  async createDirty(record: JobResultRecord): Promise<void> {
    await this.s3.put(this.bucket, this.prefix + dirtyName(record.jobId), new TextEncoder().encode(encodeJobResult(record)));
  }

  /** S3 has no rename: the clean entry is written first, so there is always one of the two. */
  async markClean(jobId: string): Promise<void> {
    await this.s3.copy(this.bucket, this.prefix + dirtyName(jobId), this.bucket, this.prefix + cleanName(jobId));
    await this.s3.delete(this.bucket, this.prefix + dirtyName(jobId));
  }

  async get(jobId: string): Promise<StoredJobResult | undefined> {
    for (const [name, clean] of [[cleanName(jobId), true], [dirtyName(jobId), false]] as const) {
      const bytes = await this.s3.get(this.bucket, this.prefix + name);
      if (bytes) return { record: decodeJobResult(new TextDecoder().decode(bytes), `${this.location}/${name}`), clean };
    }
    return undefined;
  }

  close(): void {
    this.s3.close();
  }
}

