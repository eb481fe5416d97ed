/**
 * A minimal POSIX tar (ustar) writer: headers for regular files and symlinks, with a PAX extended
 * header in front when a path or link target does not fit the 100-byte ustar fields or a size does not
 * fit 11 octal digits. Enough for GNU and BSD tar and Python's tarfile to extract; written by hand so
 * the job side needs nothing but `tar -x`.
 */

export const BLOCK_BYTES = 512;
/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * BLOCK_BYTES);

export interface TarEntryHeader {
  path: string;
  /** 0 for symlinks. */
  size: number;
  /** Permission bits (0o755, 0o644, 0o777 for symlinks). */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  symlink?: string;
}

const NAME_BYTES = 100;
const MAX_OCTAL_SIZE = 0o77777777777;

/** The header block(s) for one entry: a PAX header and its records when needed, then the ustar header. */
export function tarHeader(entry: TarEntryHeader): Buffer {
  const records: Array<[string, string]> = [];
  if (Buffer.byteLength(entry.path) > NAME_BYTES) records.push(['path', entry.path]);
  if (entry.symlink !== undefined && Buffer.byteLength(entry.symlink) > NAME_BYTES) {
    records.push(['linkpath', entry.symlink]);
  }
  if (entry.size > MAX_OCTAL_SIZE) records.push(['size', String(entry.size)]);
  const header = ustarHeader({
    name: entry.path,
    size: entry.size > MAX_OCTAL_SIZE ? 0 : entry.size,
    mode: entry.mode,
    mtime: entry.mtime,
    typeflag: entry.symlink === undefined ? '0' : '2',
    linkname: entry.symlink ?? '',
  });
  if (records.length === 0) return header;
  const body = paxRecords(records);
  const paxHeader = ustarHeader({
    name: `PaxHeaders/${basename(entry.path)}`,
    size: body.length,
    mode: 0o644,
    mtime: entry.mtime,
    typeflag: 'x',
    linkname: '',
  });
  return Buffer.concat([paxHeader, body, tarPadding(body.length), header]);
}

/** Zero bytes that round `size` bytes of content up to a whole block. */
export function tarPadding(size: number): Buffer {
  const remainder = size % BLOCK_BYTES;
  return Buffer.alloc(remainder === 0 ? 0 : BLOCK_BYTES - remainder);
}

/** Bytes an entry takes in the archive: header(s), content and padding. */
export function tarEntryBytes(entry: TarEntryHeader): number {
  return tarHeader(entry).length + entry.size + tarPadding(entry.size).length;
}

/** PAX records, each `<length> <key>=<value>\n` where length counts the whole record, its digits included. */
export function paxRecords(records: ReadonlyArray<[string, string]>): Buffer {
  return Buffer.concat(
    records.map(([key, value]) => {
      const rest = ` ${key}=${value}\n`;
      const restBytes = Buffer.byteLength(rest);
      let digits = 1;
      while (String(restBytes + digits).length !== digits) digits += 1;
      return Buffer.from(`${restBytes + digits}${rest}`);
    }),
  );
}

interface UstarFields {
  name: string;
  size: number;
  mode: number;
  mtime: number;
  typeflag: '0' | '2' | 'x';
  linkname: string;
}

function ustarHeader(fields: UstarFields): Buffer {
  const block = Buffer.alloc(BLOCK_BYTES);
  writeString(block, 0, NAME_BYTES, fields.name);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, fields.mtime);
  block.write(fields.typeflag, 156, 'ascii');
  writeString(block, 157, NAME_BYTES, fields.linkname);
  block.write('ustar\x0000', 257, 'ascii');
  // The checksum is the byte sum with its own field read as spaces, written as 6 octal digits, NUL, space.
  block.fill(0x20, 148, 156);
  let checksum = 0;
  for (const byte of block) checksum += byte;
  block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** Writes as many whole bytes of `value` as fit; a longer value travels in a PAX record instead. */
function writeString(block: Buffer, offset: number, length: number, value: string): void {
  Buffer.from(value).copy(block, offset, 0, length);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const digits = Math.floor(value)
    .toString(8)
    .padStart(length - 1, '0');
  block.write(`${digits}\0`, offset, 'ascii');
}

function basename(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const room = NAME_BYTES - 'PaxHeaders/'.length;
  return Buffer.from(name).subarray(0, room).toString();
}
