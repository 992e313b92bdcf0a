// Produce 3-9: validates each partition's single record batch (every codec), recompresses it
// when the topic's compression.type asks for another codec, appends it (with idempotence and
// transaction bookkeeping in the log) and answers per partition; acks=0 gets no answer.
import { ErrorCode } from '../protocol/errors.ts';
import { recompressBatch, splitBatches, validateBatch } from '../protocol/record-batch.ts';
import { COMPRESSION_BY_NAME } from '../protocol/compression/index.ts';
import { ProduceRequest, ProduceResponse } from '../protocol/messages/records.ts';
import type { Infer } from '../protocol/schema.ts';
import { topicConfig } from '../log/topics.ts';
import type { BrokerState } from '../broker-state.ts';
import { CLOSE_CONNECTION, defineApi } from './context.ts';

type PartitionAnswer = Infer<typeof ProduceResponse>['responses'][number]['partitionResponses'][number];

function answer(index: number, errorCode: number, baseOffset = -1, logAppendTimeMs = -1, logStartOffset = -1): PartitionAnswer {
  return { index, errorCode, baseOffset, logAppendTimeMs, logStartOffset, recordErrors: [], errorMessage: null };
}

function appendOne(state: BrokerState, topicName: string, index: number, records: Buffer | null, transactionalId: string | null): PartitionAnswer {
  const topic = state.topics.get(topicName);
  const log = topic?.partitions[index];
  if (log === undefined) return answer(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const batches = splitBatches(records ?? Buffer.alloc(0));
  // Produce v3+ must carry exactly one batch per partition.
  if (typeof batches === 'number') return answer(index, batches);
  if (batches.length !== 1) return answer(index, ErrorCode.INVALID_RECORD);
  let data = batches[0] as Buffer;
  const maxBytes = topic?.configs.has('max.message.bytes') === true ? Number(topicConfig(topic, 'max.message.bytes')) : state.config.maxMessageBytes;
  if (data.length > maxBytes) return answer(index, ErrorCode.MESSAGE_TOO_LARGE);
  const header = validateBatch(data);
  if (typeof header === 'number') return answer(index, header);
  if (header.isTransactional && transactionalId === null) return answer(index, ErrorCode.INVALID_RECORD);
  const target = COMPRESSION_BY_NAME[topicConfig(topic, 'compression.type') ?? 'producer'];
  if (target !== undefined && target !== header.compression) data = recompressBatch(data, header, target);
  const logAppendTime = topicConfig(topic, 'message.timestamp.type') === 'LogAppendTime' ? Date.now() : null;
  const result = log.append(header, data, logAppendTime);
  if (result.error !== ErrorCode.NONE) return answer(index, result.error);
  return answer(index, ErrorCode.NONE, result.baseOffset, logAppendTime ?? -1, log.logStartOffset);
}

export const produce = defineApi('Produce', ProduceRequest, ProduceResponse, (req, { state, injectedError }) => {
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  const responses = req.topicData.map((t) => ({
    name: t.name,
    partitionResponses: t.partitionData.map((p) => {
      if (injectedError !== null) return answer(p.index, injectedError);
      if (!validAcks) return answer(p.index, ErrorCode.INVALID_REQUIRED_ACKS);
      const records = Array.isArray(p.records) ? Buffer.concat(p.records) : p.records;
      return appendOne(state, t.name, p.index, records, req.transactionalId);
    }),
  }));
  // With acks=0 there is no response to carry an error, so Kafka closes the connection instead.
  if (req.acks === 0) return responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE)) ? CLOSE_CONNECTION : null;
  return { responses, throttleTimeMs: 0 };
});
