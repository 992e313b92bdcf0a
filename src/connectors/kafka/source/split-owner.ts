/**
 * Which source subtask reads a partition, as Flink's KafkaSourceEnumerator decides it: a
 * topic's partitions start at a subtask derived from the topic's name and go round-robin
 * from there. Every subtask computes the same answer from the same facts (topic, partition,
 * parallelism), so no coordinator has to hand partitions out: a partition that appears is
 * picked up by its owner's next discovery, without a restart.
 */

/** Java's String.hashCode, so assignments match Flink's for the same topics. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

export function splitOwner(topic: string, partition: number, parallelism: number): number {
  const start = ((Math.imul(javaStringHash(topic), 31) & 0x7fffffff) % parallelism);
  return (start + partition) % parallelism;
}
