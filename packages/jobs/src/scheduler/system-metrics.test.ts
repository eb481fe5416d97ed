import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNvidiaSmi, parseProcStat, readProcessGroup } from './system-metrics.js';

/** A stat line: pid (comm) state ppid pgrp … utime (14) stime (15) … rss (24) …. */
const statLine = (pid: number, comm: string, pgrp: number, utime: number, stime: number, rss: number) =>
  `${pid} (${comm}) S 1 ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 7 8 20 0 1 0 12345 1000000 ${rss} 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n`;

describe('parseProcStat', () => {
  it('reads pgrp, utime+stime and rss after a comm holding spaces and parentheses', () => {
    expect(parseProcStat(statLine(42, 'py (worker) 1', 40, 150, 25, 2048))).toEqual({
      pid: 42,
      pgrp: 40,
      cpuTicks: 175,
      rssPages: 2048,
    });
  });

  it('rejects text that is not a stat line', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('12 (sh) S 1')).toBeNull();
  });

  it('parses a real /proc entry (this process)', async () => {
    const { readFile } = await import('node:fs/promises');
    const stat = parseProcStat(await readFile('/proc/self/stat', 'utf8'));
    expect(stat?.pid).toBeGreaterThan(0);
    expect(stat?.rssPages).toBeGreaterThan(0);
  });
});

describe('readProcessGroup', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-proc-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("returns the group's processes, skipping other groups and vanished ones", async () => {
    const put = async (pid: number, text: string | null) => {
      await mkdir(join(root, String(pid)), { recursive: true });
      if (text !== null) await writeFile(join(root, String(pid), 'stat'), text);
    };
    await put(100, statLine(100, 'sh', 100, 1, 2, 50));
    await put(101, statLine(101, 'python', 100, 300, 20, 9000));
    await put(102, null); // exited between the listing and the read
    await put(200, statLine(200, 'other', 200, 999, 999, 999));
    await mkdir(join(root, 'self'));
    const group = await readProcessGroup(100, root);
    expect(group.sort((a, b) => a.pid - b.pid)).toEqual([
      { pid: 100, cpuTicks: 3, rssPages: 50 },
      { pid: 101, cpuTicks: 320, rssPages: 9000 },
    ]);
  });
});

describe('parseNvidiaSmi', () => {
  it('reads index, utilisation and memory; [N/A] becomes NaN', () => {
    expect(parseNvidiaSmi('0, 87, 40512\n1, [N/A], 3\n\n')).toEqual([
      { index: 0, utilizationPercent: 87, memoryUsedMb: 40512 },
      { index: 1, utilizationPercent: Number.NaN, memoryUsedMb: 3 },
    ]);
  });
});
