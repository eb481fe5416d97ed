import type { DataDiff, DataVersion } from '@cairn/sdk';
import { useSearchParams } from 'wouter';
import { useDataDiff } from '../../api/queries-data.js';
import { QueryState } from '../../components/QueryState.js';

/** Paths drawn per list; the rest are counted (a diff of a 100k-file refresh can be long). */
const SHOWN = 500;

/**
 * The files added, changed and removed between two versions of an asset, picked in two lists
 * (kept in the URL as `?from=&to=`; by default the previous version against the newest).
 */
export function DiffPanel({ name, versions }: { name: string; versions: DataVersion[] }) {
  const [search, setSearch] = useSearchParams();
  const from = search.get('from') ?? versions[1]?.version ?? null;
  const to = search.get('to') ?? versions[0]?.version ?? null;
  const diff = useDataDiff(name, from, to);
  const choose = (key: 'from' | 'to', value: string) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set(key, value);
        return next;
      },
      { replace: true },
    );
  return (
    <section className="panel" data-testid="data-diff">
      <div className="section-head diff-head">
        <h2>Compare versions</h2>
        <label className="inline">
          from
          <select
            aria-label="From version"
            value={from ?? ''}
            onChange={(e) => choose('from', e.target.value)}
          >
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          to
          <select aria-label="To version" value={to ?? ''} onChange={(e) => choose('to', e.target.value)}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
              </option>
            ))}
          </select>
        </label>
      </div>
      {from === to ? (
        <p className="muted">Pick two different versions.</p>
      ) : (
        <QueryState query={diff} what="the diff">
          {(d) => <DiffLists diff={d} />}
        </QueryState>
      )}
    </section>
  );
}

export function DiffLists({ diff }: { diff: DataDiff }) {
  if (diff.added.length + diff.changed.length + diff.removed.length === 0) {
    return <p className="muted">The two versions hold the same files.</p>;
  }
  return (
    <div className="diff-lists">
      <PathList kind="added" sign="+" paths={diff.added} />
      <PathList kind="changed" sign="~" paths={diff.changed} />
      <PathList kind="removed" sign="-" paths={diff.removed} />
    </div>
  );
}

function PathList({ kind, sign, paths }: { kind: string; sign: string; paths: string[] }) {
  return (
    <div className={`diff-list ${kind}`} data-testid={`diff-${kind}`}>
      <h3>
        {kind} <span className="muted">({paths.length})</span>
      </h3>
      {paths.length === 0 ? (
        <p className="muted">none</p>
      ) : (
        <ul className="mono">
          {paths.slice(0, SHOWN).map((p) => (
            <li key={p}>
              {sign} {p}
            </li>
          ))}
          {paths.length > SHOWN && <li className="muted">and {paths.length - SHOWN} more</li>}
        </ul>
      )}
    </div>
  );
}
