import { useRun } from '../../api/queries.js';
import { QueryState } from '../../components/QueryState.js';

export function RunPage({ params }: { params: Record<string, string | undefined> }) {
  const run = useRun(params.runId ?? '');
  return (
    <div className="page">
      <QueryState query={run} what="the run">
        {(r) => <h1>{r.runName}</h1>}
      </QueryState>
    </div>
  );
}
