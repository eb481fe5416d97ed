import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { useJobLog } from '../../api/use-job-log.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { searchLines } from '../../lib/log-lines.js';

const LINE_HEIGHT = 18;

/** The output of the run's job, live while it runs, searchable; follows the end unless scrolled up. */
export function LogsTab({ jobName }: { jobName: string | null }) {
  const log = useJobLog(jobName);
  const [query, setQuery] = useState('');
  const matches = useMemo(() => searchLines(log.lines, query), [log.lines, query]);
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const virtualizer = useVirtualizer({
    count: matches.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 40,
  });
  // Follow the end: scroll the element itself (the virtualizer picks the range up from the scroll event).
  useEffect(() => {
    const el = scroller.current;
    if (follow && el && matches.length > 0) el.scrollTop = el.scrollHeight;
  }, [follow, matches.length]);

  if (jobName === null)
    return <p className="muted">This run was not started by a job, so it has no logs here.</p>;
  return (
    <div className="logs-tab">
      <div className="toolbar">
        <input
          type="search"
          placeholder="Search the log"
          aria-label="Search the log"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="muted">
          Job <Link href={`/jobs/${encodeURIComponent(jobName)}`}>{jobName}</Link>{' '}
          {log.status && <StatusBadge status={log.status} />} {log.live ? '· live' : ''}
        </span>
        <span className="muted count" data-testid="log-count">
          {query ? `${matches.length} of ${log.lines.length} lines` : `${log.lines.length} lines`}
        </span>
      </div>
      {log.error && <div className="error-box">{log.error}</div>}
      <div
        className="log-view mono"
        ref={scroller}
        data-testid="log-view"
        onScroll={(e) => {
          const el = e.currentTarget;
          setFollow(el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_HEIGHT * 2);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const { n, line } = matches[item.index]!;
            return (
              <div
                key={item.key}
                className={line.stream === 'stderr' ? 'log-line stderr' : 'log-line'}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <span className="line-no">{n}</span>
                <Highlight text={line.text} query={query} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function Highlight({ text, query }: { text: string; query: string }) {
  if (query === '') return <span>{text}</span>;
  const i = text.toLowerCase().indexOf(query.toLowerCase());
  if (i < 0) return <span>{text}</span>;
  return (
    <span>
      {text.slice(0, i)}
      <mark>{text.slice(i, i + query.length)}</mark>
      {text.slice(i + query.length)}
    </span>
  );
}
