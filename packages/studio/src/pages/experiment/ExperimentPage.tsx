import { useExperiment } from '../../api/queries.js';
import { QueryState } from '../../components/QueryState.js';

export function ExperimentPage({ params }: { params: Record<string, string | undefined> }) {
  const experiment = useExperiment(params.experimentId ?? '');
  return (
    <div className="page">
      <QueryState query={experiment} what="the experiment">
        {(e) => <h1>{e.name}</h1>}
      </QueryState>
    </div>
  );
}
