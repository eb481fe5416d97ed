import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { crc32, ZipWriter } from './zip-writer.js';

/** Reads a ZIP with Python's zipfile (the module Ray's unzip uses): names, modes, contents, CRC check. */
function readWithPython(zip: Buffer): {
  bad: string | null;
  entries: { name: string; mode: number; data: string }[];
} {
  const script = `
import base64, io, json, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
print(json.dumps({
  "bad": z.testzip(),
  "entries": [
    {"name": i.filename, "mode": i.external_attr >> 16, "data": base64.b64encode(z.read(i)).decode()}
    for i in z.infolist()
  ],
}))`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: zip }).toString());
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

describe('ZipWriter', () => {
  it("round-trips names, bytes and Unix modes through Python's zipfile", () => {
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const zip = new ZipWriter();
    zip.addFile('main.py', Buffer.from('print("hello")\n'));
    zip.addFile('bin/run.sh', Buffer.from('#!/bin/sh\necho run\n'), 0o755);
    zip.addFile('data/blob.bin', binary);
    zip.addFile('data/empty.txt', Buffer.alloc(0));
    zip.addFile('naïve/ünïcode ✓.txt', Buffer.from('ü'));
    const bytes = zip.finish();

    const read = readWithPython(bytes);
    expect(read.bad).toBeNull();
    expect(read.entries.map((e) => [e.name, e.mode])).toEqual([
      ['main.py', 0o100644],
      ['bin/run.sh', 0o100755],
      ['data/blob.bin', 0o100644],
      ['data/empty.txt', 0o100644],
      ['naïve/ünïcode ✓.txt', 0o100644],
    ]);
    const byName = new Map(read.entries.map((e) => [e.name, Buffer.from(e.data, 'base64')]));
    expect(byName.get('main.py')?.toString()).toBe('print("hello")\n');
    expect(byName.get('data/blob.bin')?.equals(binary)).toBe(true);
    expect(byName.get('data/empty.txt')?.length).toBe(0);
    expect(byName.get('naïve/ünïcode ✓.txt')?.toString()).toBe('ü');
  });

  it('gives equal bytes for equal input', () => {
    const build = () => {
      const zip = new ZipWriter();
      zip.addFile('a.txt', Buffer.from('a'));
      zip.addFile('b/c.txt', Buffer.from('c'), 0o755);
      return zip.finish();
    };
    expect(build().equals(build())).toBe(true);
  });

  it('writes an empty archive Python can open', () => {
    expect(readWithPython(new ZipWriter().finish())).toEqual({ bad: null, entries: [] });
  });

  it('refuses unsafe and repeated paths', () => {
    const zip = new ZipWriter();
    expect(() => zip.addFile('../escape.txt', Buffer.from('x'))).toThrow(/relative posix path/);
    expect(() => zip.addFile('/abs.txt', Buffer.from('x'))).toThrow(/relative posix path/);
    zip.addFile('once.txt', Buffer.from('x'));
    expect(() => zip.addFile('once.txt', Buffer.from('y'))).toThrow(/already in this ZIP/);
  });
});
