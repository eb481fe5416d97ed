import { describe, expect, it } from 'vitest';
import { jobDuration, parseStatusFilter, pollInterval, statusTimeline } from './job-status.js';

describe('job status helpers', () => {
  it('reads a status filter and ignores unknown ones', () => {
    expect(parseStatusFilter('running')).toBe('running');
    expect(parseStatusFilter('RUNNING')).toBeNull();
    expect(parseStatusFilter(null)).toBeNull();
  });

  it('polls only while some job has not ended', () => {
    expect(pollInterval(['completed', 'failed'])).toBe(false);
    expect(pollInterval(['completed', 'queued'])).toBe(2000);
    expect(pollInterval([])).toBe(false);
  });

  it('measures a job from its start, until now while it runs', () => {
    expect(jobDuration({ startedAt: null, endedAt: null }, 50)).toBeNull();
    expect(jobDuration({ startedAt: 10, endedAt: null }, 50)).toBe(40);
    expect(jobDuration({ startedAt: 10, endedAt: 30 }, 50)).toBe(20);
  });

  it('gives each status step its duration, the current one until now if the job goes on', () => {
    const steps = statusTimeline(
      [
        { status: 'running', at: 300, message: null },
        { status: 'queued', at: 100, message: null },
        { status: 'preparing', at: 150, message: 'building env' },
      ],
      1000,
    );
    expect(steps.map((s) => [s.status, s.durationMs, s.current])).toEqual([
      ['queued', 50, false],
      ['preparing', 150, false],
      ['running', 700, true],
    ]);
    const ended = statusTimeline([
      { status: 'running', at: 1, message: null },
      { status: 'failed', at: 5, message: 'exit 1' },
    ]);
    expect(ended.at(-1)).toMatchObject({ status: 'failed', durationMs: null, current: true });
  });
});
