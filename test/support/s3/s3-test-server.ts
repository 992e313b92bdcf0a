/**
 * A real S3 server for tests: s3rver in a child process on 127.0.0.1 (an ephemeral port on
 * first start), storing objects in a temporary directory. `stop()` takes it down and
 * `start()` brings it back on the same port with the same objects: S3 going away and
 * returning. `config()` gives the s3.* keys a job needs to reach it (s3rver's one account,
 * S3RVER/S3RVER).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { S3Objects } from '../../../src/runtime/s3/s3-objects.ts';
import { parseS3Settings } from '../../../src/runtime/s3/s3-settings.ts';

const MAIN = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET_KEY = 'S3RVER';

export class S3TestServer {
  private child: ChildProcess | undefined;
  private port = 0;
  private stderr = '';

  private constructor(
    private readonly directory: string,
    readonly buckets: readonly string[],
  ) {}

  /** Starts a server holding these (empty) buckets. */
  static async start(buckets: readonly string[] = ['weir']): Promise<S3TestServer> {
    const server = new S3TestServer(await mkdtemp(join(tmpdir(), 'weir-s3rver-')), buckets);
    await server.start();
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The configuration keys that reach this server; `overrides` replace some (wrong credentials). */
  config(overrides: Record<string, string> = {}): Record<string, string> {
    return { 's3.endpoint': this.endpoint, 's3.path.style.access': 'true', 's3.access-key': S3RVER_ACCESS_KEY, 's3.secret-key': S3RVER_SECRET_KEY, 's3.region': 'us-east-1', ...overrides };
  }

  /** `-Dkey=value` arguments for a weir process. */
  configArgs(overrides: Record<string, string> = {}): string[] {
    return Object.entries(this.config(overrides)).map(([k, v]) => `-D${k}=${v}`);
  }

  /** A client for assertions (closed by the caller). */
  objects(): S3Objects {
    return new S3Objects(parseS3Settings(new Map(Object.entries(this.config({ 's3.max-attempts': '1' })))));
  }

  /** Starts the server process (again, on the same port and with the same objects). */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(process.execPath, ['--openssl-legacy-provider', MAIN, JSON.stringify({ port: this.port, directory: this.directory, buckets: this.buckets })], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const port = await new Promise<number>((resolve, reject) => {
      lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening: ${this.stderr}`)));
    });
    lines.close();
    this.port = port;
  }

  /** Takes the server down; objects stay for the next start(). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and deletes its objects. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.directory, { recursive: true, force: true });
  }
}
