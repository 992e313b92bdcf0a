/**
 * Source lag in the operator's pass. The operator learns what a source reads from the job
 * itself: a Kafka source describes its servers, topics (or topic pattern), group, starting
 * offsets and security protocol on its vertex in `GET /jobs/:id` (`source`), so nothing is
 * configured twice and a changed job is followed by the next collection. Which way the lag is
 * measured is chosen per source (lagPathOf): against the group's committed offsets through
 * an admin client of the operator's, one kept per deployment and source vertex while what it
 * reads stays the same; or, where the operator cannot use one (a secured cluster: it has
 * neither the job's credentials nor its CA; no group to measure against; a read that failed
 * this pass), from the readers' pendingRecords the JobManager reports.
 */
import { errorMessage } from '../../errors/index.ts';
import type { ObservedVertex } from './jobmanager-vertex-metrics.ts';
import { KafkaSourceLag } from './kafka-source-lag.ts';
import type { KafkaSourceLagOptions, TopicPattern } from './kafka-source-lag.ts';
import { pendingRecordsLag } from './source-lag.ts';
import type { SourceLag, SourceLagCollector } from './source-lag.ts';

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string') ? v : undefined);

/**
 * What to measure for a vertex's `source`, or undefined: not Kafka, or no lag to measure
 * against (no group the source commits to, neither topics nor a valid pattern).
 */
export function kafkaLagOptions(source: Readonly<Record<string, unknown>> | undefined): KafkaSourceLagOptions | undefined {
  if (source?.type !== 'kafka') return undefined;
  const brokers = strings(source.bootstrapServers);
  const topics = strings(source.topics) ?? topicPattern(source);
  const groupId = typeof source.groupId === 'string' ? source.groupId : undefined;
  if (!brokers || !topics || groupId === undefined) return undefined;
  return { brokers, topics, groupId, startingOffsets: source.startingOffsets === 'latest' ? 'latest' : 'earliest' };
}

/** How a source vertex's lag is measured: an admin client's offsets, or the job's own metrics, with why. */
export type LagPath = { by: 'committed-offsets'; options: KafkaSourceLagOptions } | { by: 'pending-records'; why: string };

/**
 * The choice for a vertex's `source`; undefined for a source that is not Kafka. A client
 * with any security.protocol but PLAINTEXT is the job's to open: the operator is given no
 * credential, no CA and no client certificate (REST carries none), so the lag comes from the
 * job. A source described without a protocol (an older Weir) is taken as PLAINTEXT.
 */
export function lagPathOf(source: Readonly<Record<string, unknown>> | undefined): LagPath | undefined {
  if (source?.type !== 'kafka') return undefined;
  const protocol = typeof source.securityProtocol === 'string' ? source.securityProtocol.toUpperCase() : 'PLAINTEXT';
  if (protocol !== 'PLAINTEXT') return { by: 'pending-records', why: `its cluster is secured (${protocol}) and the operator has none of the job's credentials` };
  const options = kafkaLagOptions(source);
  if (!options) return { by: 'pending-records', why: 'it commits to no group (or reads a topic pattern JavaScript cannot match), so there are no committed offsets to measure against' };
  return { by: 'committed-offsets', options };
}

function topicPattern(source: Readonly<Record<string, unknown>>): TopicPattern | undefined {
  if (typeof source.topicPattern !== 'string') return undefined;
  const pattern = { pattern: source.topicPattern, flags: typeof source.topicPatternFlags === 'string' ? source.topicPatternFlags : '' };
  try {
    new RegExp(pattern.pattern, pattern.flags);
  } catch {
    // Not a JavaScript RegExp (another client's job?): nothing this operator can match with.
    return undefined;
  }
  return pattern;
}

export class SourceLagReaders {
  private readonly readers = new Map<string, { signature: string; collector: SourceLagCollector }>();

  constructor(
    private readonly log: (line: string) => void = () => {},
    private readonly create: (options: KafkaSourceLagOptions) => SourceLagCollector = (options) => new KafkaSourceLag(options),
  ) {}

  /**
   * Each Kafka source vertex's lag, by vertex id, measured as lagPathOf chooses. A committed
   * offsets read that fails falls back to the job's pendingRecords for this pass; a source
   * whose lag cannot be read either way is left out and logged (the decision then uses its
   * last lag in the window and holds scale-downs, see vertex-rates.ts).
   */
  async lagOf(deployment: string, vertices: readonly ObservedVertex[]): Promise<Map<string, SourceLag>> {
    const paths = new Map<ObservedVertex, LagPath>();
    for (const v of vertices) {
      const path = lagPathOf(v.source);
      if (path) paths.set(v, path);
    }
    const admin = new Set([...paths].flatMap(([v, p]) => (p.by === 'committed-offsets' ? [`${deployment}/${v.id}`] : [])));
    await this.close((key) => key.startsWith(`${deployment}/`) && !admin.has(key));
    const lag = new Map<string, SourceLag>();
    for (const [v, path] of paths) {
      const key = `${deployment}/${v.id}`;
      let why = path.by === 'pending-records' ? path.why : '';
      if (path.by === 'committed-offsets') {
        try {
          lag.set(v.id, await (await this.reader(key, path.options)).sourceLag());
          continue;
        } catch (err) {
          why = `its committed offsets could not be read: ${errorMessage(err)}`;
        }
      }
      const fromJob = pendingRecordsLag(v.sample.at, v.reported ?? { ids: [], sums: {} });
      if ('lag' in fromJob) {
        lag.set(v.id, fromJob.lag);
        if (path.by === 'committed-offsets') this.log(`autoscaler: source lag for ${key} from the job's pendingRecords this pass: ${why}`);
      } else {
        this.log(`autoscaler: no source lag for ${key} this pass: ${why}; and from the job's pendingRecords: ${fromJob.missing}`);
      }
    }
    return lag;
  }

  private async reader(key: string, options: KafkaSourceLagOptions): Promise<SourceLagCollector> {
    const signature = JSON.stringify(options);
    const reader = this.readers.get(key);
    if (reader?.signature === signature) return reader.collector;
    // A changed source: its old client goes first.
    if (reader) await this.close((k) => k === key);
    const collector = this.create(options);
    this.readers.set(key, { signature, collector });
    return collector;
  }

  /** Closes a deployment's readers: it was deleted, or its autoscaler stopped collecting. */
  forget(deployment: string): Promise<void> {
    return this.close((key) => key.startsWith(`${deployment}/`));
  }

  /** Closes every reader (the operator stops). */
  closeAll(): Promise<void> {
    return this.close(() => true);
  }

  private async close(which: (key: string) => boolean): Promise<void> {
    for (const [key, reader] of [...this.readers]) {
      if (!which(key)) continue;
      this.readers.delete(key);
      await reader.collector.close().catch((err: unknown) => this.log(`autoscaler: closing the lag reader of ${key}: ${errorMessage(err)}`));
    }
  }
}
