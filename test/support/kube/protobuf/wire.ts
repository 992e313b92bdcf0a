// The protobuf wire format, read: varints, length-delimited fields and fixed-width ones,
// enough to decode the few Kubernetes messages clients send in protobuf.

export type WireValue = { wire: 0; value: bigint } | { wire: 2; bytes: Buffer } | { wire: 1 | 5; bytes: Buffer };

export interface WireField {
  field: number;
  value: WireValue;
}

function varint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new Error('protobuf: truncated varint');
}

/** The fields of one message, in order (repeated fields appear once per element). */
export function readFields(buf: Buffer): WireField[] {
  const out: WireField[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = varint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = varint(buf, at);
      at = after;
      out.push({ field, value: { wire: 0, value } });
    } else if (wire === 2) {
      const [len, after] = varint(buf, at);
      const end = after + Number(len);
      if (end > buf.length) throw new Error('protobuf: truncated length-delimited field');
      out.push({ field, value: { wire: 2, bytes: buf.subarray(after, end) } });
      at = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ field, value: { wire, bytes: buf.subarray(at, at + size) } });
      at += size;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wire}`);
    }
  }
  return out;
}
