import { invalidArgument } from '@cairn/core';

/**
 * A minimal ZIP writer: stored entries (no compression), UTF-8 names, Unix modes in the external
 * attributes (Ray's unzip restores them, so executables stay executable), a fixed timestamp so equal
 * input gives equal bytes. No Zip64: at most 65,535 entries and 4 GiB in all, far above what Ray's GCS
 * accepts for a package (its gRPC message limit).
 */

const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;
/** 1980-01-01 00:00:00 in MS-DOS date/time, the earliest ZIP can express. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
const VERSION_NEEDED = 20;
/** Made by Unix (3), spec 2.0: tells readers the high 16 bits of the external attributes are a mode. */
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED;
/** General purpose flag bit 11: file names are UTF-8. */
const FLAG_UTF8 = 0x0800;
const S_IFREG = 0o100000;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, the one ZIP and gzip use). */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    crc = (CRC_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

interface CentralEntry {
  name: Buffer;
  crc: number;
  size: number;
  mode: number;
  offset: number;
}

export class ZipWriter {
  private readonly chunks: Buffer[] = [];
  private readonly entries: CentralEntry[] = [];
  private readonly names = new Set<string>();
  private offset = 0;

  /** Adds a regular file at `path` (relative, posix separators) with permission bits `mode`. */
  addFile(path: string, data: Uint8Array, mode = 0o644): void {
    if (
      path === '' ||
      path.startsWith('/') ||
      path.includes('\\') ||
      path.split('/').some((s) => s === '..')
    ) {
      throw invalidArgument(`'${path}' cannot be a ZIP entry: use a relative posix path without '..'`, {
        field: 'path',
      });
    }
    if (this.names.has(path)) {
      throw invalidArgument(`'${path}' is already in this ZIP; each path can be added once`, {
        field: 'path',
      });
    }
    if (this.entries.length >= MAX_ENTRIES) {
      throw invalidArgument(
        `A ZIP package holds at most ${MAX_ENTRIES} files without Zip64, and this one needs more; exclude files with .cairnignore`,
      );
    }
    if (this.offset + 30 + data.length > MAX_OFFSET) {
      throw invalidArgument(
        'A ZIP package holds at most 4 GiB without Zip64, and this one needs more; exclude large files with .cairnignore',
      );
    }
    const name = Buffer.from(path, 'utf8');
    const crc = crc32(data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(VERSION_NEEDED, 4);
    header.writeUInt16LE(FLAG_UTF8, 6);
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(DOS_TIME, 10);
    header.writeUInt16LE(DOS_DATE, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    this.entries.push({ name, crc, size: data.length, mode: mode & 0o7777, offset: this.offset });
    this.names.add(path);
    this.chunks.push(header, name, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.offset += header.length + name.length + data.length;
  }

  /** The whole archive: the local entries, the central directory and its end record. */
  finish(): Buffer {
    const central: Buffer[] = [];
    let centralSize = 0;
    for (const entry of this.entries) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(VERSION_MADE_BY, 4);
      header.writeUInt16LE(VERSION_NEEDED, 6);
      header.writeUInt16LE(FLAG_UTF8, 8);
      header.writeUInt16LE(0, 10);
      header.writeUInt16LE(DOS_TIME, 12);
      header.writeUInt16LE(DOS_DATE, 14);
      header.writeUInt32LE(entry.crc, 16);
      header.writeUInt32LE(entry.size, 20);
      header.writeUInt32LE(entry.size, 24);
      header.writeUInt16LE(entry.name.length, 28);
      header.writeUInt16LE(0, 30); // extra
      header.writeUInt16LE(0, 32); // comment
      header.writeUInt16LE(0, 34); // disk
      header.writeUInt16LE(0, 36); // internal attributes
      header.writeUInt32LE(((S_IFREG | entry.mode) << 16) >>> 0, 38);
      header.writeUInt32LE(entry.offset, 42);
      central.push(header, entry.name);
      centralSize += header.length + entry.name.length;
    }
    if (this.offset + centralSize > MAX_OFFSET) {
      throw invalidArgument('A ZIP package holds at most 4 GiB without Zip64, and this one needs more');
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(centralSize, 12);
    end.writeUInt32LE(this.offset, 16);
    end.writeUInt16LE(0, 20);
    return Buffer.concat([...this.chunks, ...central, end]);
  }
}
