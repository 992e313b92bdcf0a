// Produce v7: validates each partition's single record batch, appends it (with idempotence
// and transaction bookkeeping in the log) and answers per partition; acks=0 gets no answer.
import { Writer } from '../protocol/writer.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { splitBatches, validateBatch } from '../protocol/record-batch.ts';
import { CLOSE_CONNECTION } from './context.ts';
import type { Handler } from './context.ts';

interface PartitionAnswer {
  partition: number;
  error: number;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
}

export const produce: Handler = async (r, { state, injectedError }) => {
  const transactionalId = r.nullableString();
  const acks = r.int16();
  r.int32(); // timeout: a single replica never waits for followers
  const topics = r.array((x) => ({
    name: x.string(),
    partitions: x.array((p) => ({ partition: p.int32(), records: p.nullableBytes() })),
  }));

  const answers: { name: string; partitions: PartitionAnswer[] }[] = [];
  for (const t of topics) {
    const parts: PartitionAnswer[] = [];
    for (const p of t.partitions) {
      const fail = (error: number): PartitionAnswer => ({ partition: p.partition, error, baseOffset: -1, logAppendTime: -1, logStartOffset: -1 });
      if (injectedError !== null) {
        parts.push(fail(injectedError));
        continue;
      }
      if (acks !== 0 && acks !== 1 && acks !== -1) {
        parts.push(fail(ErrorCode.INVALID_REQUIRED_ACKS));
        continue;
      }
      const log = state.topics.partition(t.name, p.partition);
      if (log === undefined) {
        parts.push(fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        continue;
      }
      const batches = splitBatches(p.records ?? Buffer.alloc(0));
      // Produce v3+ must carry exactly one batch per partition.
      if (typeof batches === 'number' || batches.length !== 1) {
        parts.push(fail(typeof batches === 'number' ? batches : ErrorCode.INVALID_RECORD));
        continue;
      }
      const data = batches[0] as Buffer;
      if (data.length > state.config.maxMessageBytes) {
        parts.push(fail(ErrorCode.MESSAGE_TOO_LARGE));
        continue;
      }
      const header = await validateBatch(data);
      if (typeof header === 'number') {
        parts.push(fail(header));
        continue;
      }
      if (header.isTransactional && transactionalId === null) {
        parts.push(fail(ErrorCode.INVALID_RECORD));
        continue;
      }
      const logAppendTime = state.topics.get(t.name)?.configs.get('message.timestamp.type') === 'LogAppendTime' ? Date.now() : null;
      const result = log.append(header, data, logAppendTime);
      if (result.error !== ErrorCode.NONE) {
        parts.push(fail(result.error));
        continue;
      }
      parts.push({ partition: p.partition, error: 0, baseOffset: result.baseOffset, logAppendTime: logAppendTime ?? -1, logStartOffset: log.logStartOffset });
    }
    answers.push({ name: t.name, partitions: parts });
  }
  // With acks=0 there is no response to carry an error, so Kafka closes the connection instead.
  if (acks === 0) return answers.some((t) => t.partitions.some((p) => p.error !== ErrorCode.NONE)) ? CLOSE_CONNECTION : null;
  return new Writer()
    .array(answers, (w, t) => {
      w.string(t.name).array(t.partitions, (pw, p) => {
        pw.int32(p.partition).int16(p.error).int64(p.baseOffset).int64(p.logAppendTime).int64(p.logStartOffset);
      });
    })
    .int32(0);
};
