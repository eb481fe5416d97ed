import { describe, expect, it } from 'vitest';
import { BLOCK_BYTES, paxRecords, tarHeader } from './tar-writer.js';

function checksumOk(block: Buffer): boolean {
  const stored = Number.parseInt(block.subarray(148, 154).toString(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK_BYTES; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  return stored === sum;
}

describe('tar writer', () => {
  it('writes a ustar header for a short path', () => {
    const header = tarHeader({ path: 'bin/run.sh', size: 1234, mode: 0o755, mtime: 1 });
    expect(header.length).toBe(BLOCK_BYTES);
    expect(header.subarray(0, 10).toString()).toBe('bin/run.sh');
    expect(header.subarray(100, 107).toString()).toBe('0000755');
    expect(Number.parseInt(header.subarray(124, 135).toString(), 8)).toBe(1234);
    expect(header.subarray(257, 265).toString()).toBe('ustar\x0000');
    expect(checksumOk(header)).toBe(true);
  });

  it('puts a long path in a PAX record ahead of the ustar header', () => {
    const path = `${'d'.repeat(120)}/${'f'.repeat(80)}.txt`;
    const header = tarHeader({ path, size: 1, mode: 0o644, mtime: 1 });
    expect(header.length).toBe(3 * BLOCK_BYTES);
    expect(String.fromCharCode(header[156] as number)).toBe('x');
    const size = Number.parseInt(header.subarray(124, 135).toString(), 8);
    expect(header.subarray(BLOCK_BYTES, BLOCK_BYTES + size).toString()).toBe(`${size} path=${path}\n`);
    expect(checksumOk(header.subarray(0, BLOCK_BYTES))).toBe(true);
    expect(checksumOk(header.subarray(2 * BLOCK_BYTES))).toBe(true);
  });

  it('counts each PAX record length including its own digits', () => {
    for (const n of [1, 80, 88, 89, 90, 985, 990, 995, 1000]) {
      const record = paxRecords([['path', 'p'.repeat(n)]]).toString();
      const declared = Number.parseInt(record, 10);
      expect(Buffer.byteLength(record)).toBe(declared);
    }
  });
});
