// ListOffsets v3: earliest (-2), latest (-1; the last stable offset under read_committed)
// or the first offset at or after a timestamp.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Handler } from './context.ts';

const LATEST = -1;
const EARLIEST = -2;
const READ_COMMITTED = 1;

interface Answer {
  partition: number;
  error: number;
  timestamp: number;
  offset: number;
}

export const listOffsets: Handler = async (r, { state, injectedError }) => {
  r.int32();
  const isolation = r.int8();
  const topics = r.array((x) => ({ name: x.string(), partitions: x.array((p) => ({ partition: p.int32(), timestamp: p.int64() })) }));
  const answers: { name: string; partitions: Answer[] }[] = [];
  for (const t of topics) {
    const parts: Answer[] = [];
    for (const p of t.partitions) {
      const log = state.topics.partition(t.name, p.partition);
      const error = injectedError ?? (log === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : null);
      if (error !== null || log === undefined) {
        parts.push({ partition: p.partition, error: error ?? 0, timestamp: -1, offset: -1 });
      } else if (p.timestamp === LATEST) {
        const offset = isolation === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
        parts.push({ partition: p.partition, error: 0, timestamp: -1, offset });
      } else if (p.timestamp === EARLIEST) {
        parts.push({ partition: p.partition, error: 0, timestamp: -1, offset: log.logStartOffset });
      } else {
        const found = await log.offsetForTimestamp(p.timestamp);
        const limit = isolation === READ_COMMITTED ? log.lastStableOffset : log.highWatermark;
        const visible = found !== null && found.offset < limit ? found : null;
        parts.push({ partition: p.partition, error: 0, timestamp: visible?.timestamp ?? -1, offset: visible?.offset ?? -1 });
      }
    }
    answers.push({ name: t.name, partitions: parts });
  }
  return new Writer().int32(0).array(answers, (w, t) => {
    w.string(t.name).array(t.partitions, (pw, p) => {
      pw.int32(p.partition).int16(p.error).int64(p.timestamp).int64(p.offset);
    });
  });
};
