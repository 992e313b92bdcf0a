// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of record batch v2.
// Slicing-by-4 tables keep it fast enough for the produce benchmark.

const POLY = 0x82f63b78;
const T: Uint32Array[] = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
const T0 = T[0] as Uint32Array;
const T1 = T[1] as Uint32Array;
const T2 = T[2] as Uint32Array;
const T3 = T[3] as Uint32Array;
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T0[n] = c >>> 0;
}
for (let n = 0; n < 256; n++) {
  T1[n] = ((T0[n] as number) >>> 8) ^ (T0[(T0[n] as number) & 0xff] as number);
  T2[n] = ((T1[n] as number) >>> 8) ^ (T0[(T1[n] as number) & 0xff] as number);
  T3[n] = ((T2[n] as number) >>> 8) ^ (T0[(T2[n] as number) & 0xff] as number);
}

export function crc32c(buf: Uint8Array): number {
  let crc = 0xffffffff;
  let i = 0;
  const end4 = buf.length - (buf.length % 4);
  for (; i < end4; i += 4) {
    crc ^= (buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24);
    crc =
      (T3[crc & 0xff] as number) ^
      (T2[(crc >>> 8) & 0xff] as number) ^
      (T1[(crc >>> 16) & 0xff] as number) ^
      (T0[crc >>> 24] as number);
  }
  for (; i < buf.length; i++) crc = (T0[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
