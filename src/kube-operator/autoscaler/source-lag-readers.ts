/**
 * Source lag in the operator's pass. The operator learns what a source reads from the job
 * itself: a Kafka source describes its servers, topics (or topic pattern), group and
 * starting offsets on its vertex in `GET /jobs/:id` (`source`), so nothing is configured
 * twice and a changed job is followed by the next collection. One KafkaSourceLag (one admin connection) is kept per
 * deployment and source vertex while what it reads stays the same.
 */
import { errorMessage } from '../../errors/index.ts';
import type { ObservedVertex } from './jobmanager-vertex-metrics.ts';
import { KafkaSourceLag } from './kafka-source-lag.ts';
import type { KafkaSourceLagOptions, TopicPattern } from './kafka-source-lag.ts';
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
   * Each Kafka source vertex's lag, by vertex id. A source whose lag cannot be read this time
   * is left out and logged: its vertex is decided on busy time alone for this pass.
   */
  async lagOf(deployment: string, vertices: readonly ObservedVertex[]): Promise<Map<string, SourceLag>> {
    const wanted = new Map<string, KafkaSourceLagOptions>();
    for (const v of vertices) {
      const options = kafkaLagOptions(v.source);
      if (options) wanted.set(`${deployment}/${v.id}`, options);
    }
    await this.close((key) => key.startsWith(`${deployment}/`) && !wanted.has(key));
    const lag = new Map<string, SourceLag>();
    for (const [key, options] of wanted) {
      const signature = JSON.stringify(options);
      let reader = this.readers.get(key);
      if (reader?.signature !== signature) {
        await this.close((k) => k === key);
        reader = { signature, collector: this.create(options) };
        this.readers.set(key, reader);
      }
      try {
        lag.set(key.slice(deployment.length + 1), await reader.collector.sourceLag());
      } catch (err) {
        this.log(`autoscaler: no source lag for ${key} this pass: ${errorMessage(err)}`);
      }
    }
    return lag;
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
