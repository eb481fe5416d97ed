import { describe, expect, it } from 'vitest';
import { LogLines, searchLines } from './log-lines.js';

describe('LogLines', () => {
  it('joins lines split across chunks, per stream', () => {
    const log = new LogLines();
    log.add({ stream: 'stdout', data: 'epoch 1 lo' });
    log.add({ stream: 'stderr', data: 'warn: x\n' });
    log.add({ stream: 'stdout', data: 'ss 0.5\r\nepoch 2' });
    expect(log.lines).toEqual([
      { stream: 'stderr', text: 'warn: x' },
      { stream: 'stdout', text: 'epoch 1 loss 0.5' },
    ]);
    expect(log.all().at(-1)).toEqual({ stream: 'stdout', text: 'epoch 2' });
  });

  it('answers a new array each time, so a page memoising on it sees lines added since', () => {
    const log = new LogLines();
    log.add({ stream: 'stdout', data: 'one\n' });
    const before = log.all();
    log.add({ stream: 'stdout', data: 'two\n' });
    const after = log.all();
    expect(after).not.toBe(before);
    expect(before.map((l) => l.text)).toEqual(['one']);
    expect(after.map((l) => l.text)).toEqual(['one', 'two']);
  });

  it('finds lines case-insensitively with their numbers', () => {
    const log = new LogLines();
    log.add({ stream: 'stdout', data: 'Loss 1\nacc 2\nloss 3\n' });
    expect(searchLines(log.all(), 'LOSS').map((m) => m.n)).toEqual([1, 3]);
    expect(searchLines(log.all(), '')).toHaveLength(3);
  });
});
