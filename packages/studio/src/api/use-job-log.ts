import type { JobStatus } from '@cairn/sdk';
import { useEffect, useState } from 'react';
import { type LogLine, LogLines } from '../lib/log-lines.js';
import { errorMessage } from './client.js';
import { useWorkspace } from './workspace-context.js';

export interface JobLogState {
  lines: LogLine[];
  status: JobStatus | null;
  /** Still receiving (the job has not ended, or the stored output is still arriving). */
  live: boolean;
  error: string | null;
}

/**
 * A job's output as lines, live: the SDK's server-sent-event stream replays the stored output and then
 * follows the job until it ends (resuming after a dropped connection). Renders are batched per frame,
 * so a chatty job does not re-render the page per chunk.
 */
export function useJobLog(jobName: string | null): JobLogState {
  const { client } = useWorkspace();
  const [state, setState] = useState<JobLogState>({
    lines: [],
    status: null,
    live: jobName !== null,
    error: null,
  });
  useEffect(() => {
    if (jobName === null) return;
    const abort = new AbortController();
    const log = new LogLines();
    let status: JobStatus | null = null;
    let frame = 0;
    const flush = (live: boolean, error: string | null = null) => {
      cancelAnimationFrame(frame);
      frame = 0;
      setState({ lines: log.all(), status, live, error });
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(() => flush(true));
    };
    setState({ lines: [], status: null, live: true, error: null });
    (async () => {
      try {
        for await (const event of client.jobs.stream(jobName, { signal: abort.signal })) {
          if (event.type === 'log') log.add(event);
          else status = event.status;
          schedule();
        }
        flush(false);
      } catch (err) {
        if (!abort.signal.aborted) flush(false, errorMessage(err));
      }
    })();
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
    };
  }, [client, jobName]);
  return state;
}
