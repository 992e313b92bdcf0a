/**
 * A checkpoint acknowledgement as it travels from a TaskManager to the JobManager: operator
 * state may hold any record value (bigints, Maps, bytes), which JSON cannot carry, so the
 * acknowledgement goes as its record encoding, in base64.
 */
import { WeirError } from '../../errors/index.ts';
import type { SubtaskCheckpointAck } from './subtask-snapshot-writer.ts';
import { frameValue, unframeValue } from './storage/framed-value.ts';

const MAGIC = 'WEIRACK1';

export function encodeAck(ack: SubtaskCheckpointAck): string {
  return Buffer.from(frameValue(MAGIC, ack)).toString('base64');
}

export function decodeAck(text: string): SubtaskCheckpointAck {
  const framed = unframeValue(MAGIC, Buffer.from(text, 'base64'));
  if ('problem' in framed) throw new WeirError('PROTOCOL_VIOLATION', `a checkpoint acknowledgement cannot be read: ${framed.problem}`, true);
  return framed.value as SubtaskCheckpointAck;
}
