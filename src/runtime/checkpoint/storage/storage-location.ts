/**
 * Checkpoint locations as strings: a plain path (or `file://path`) for files, a URI such as
 * `s3://bucket/prefix` for object stores. Pure helpers, so callers join and tell locations
 * apart without knowing which storage holds them.
 */
import { dirname, join } from 'node:path';
import { WeirError } from '../../../errors/index.ts';

export type StorageScheme = 'file' | 's3';

const URI = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Which storage a location belongs to; a location of an unknown scheme is a configuration error naming `key`. */
export function schemeOf(location: string, key = 'location'): StorageScheme {
  const m = URI.exec(location);
  if (!m || m[1]!.toLowerCase() === 'file') return 'file';
  if (m[1]!.toLowerCase() === 's3') return 's3';
  throw new WeirError('INVALID_CONFIGURATION', `${key}: "${location}" is not a supported location: checkpoints are stored on file systems (file:// or a path) or S3 (s3://bucket/prefix)`, false);
}

/** A location as its storage takes it: `file://` stripped to a path, URIs as they are. */
export function normalizeLocation(location: string, key = 'location'): string {
  schemeOf(location, key);
  return location.startsWith('file://') ? location.slice('file://'.length) : location;
}

/** `name` inside `dir`, for either kind of location. */
export function childLocation(dir: string, name: string): string {
  if (!URI.test(dir)) return join(dir, name);
  return `${dir.replace(/\/+$/, '')}/${name.replace(/^\/+/, '')}`;
}

/** `name` beside `location` (in the same parent): a checkpoint's `shared` directory beside `chk-<n>`. */
export function siblingLocation(location: string, name: string): string {
  if (!URI.test(location)) return join(dirname(location), name);
  const trimmed = location.replace(/\/+$/, '');
  return `${trimmed.slice(0, trimmed.lastIndexOf('/'))}/${name}`;
}
