import { CairnApiError } from '@cairn/sdk';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client.js';

/**
 * The MLflow filter grammar in a search box: applied on Enter, with the server's error shown under it
 * and a caret at the position the server named.
 */
export function FilterBox({
  value,
  onApply,
  error,
}: {
  value: string;
  onApply: (filter: string) => void;
  error: unknown;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const filterError = error instanceof CairnApiError && error.details.field === 'filter' ? error : null;
  const position = filterError?.details.position;
  return (
    <div className="filter-box">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onApply(draft.trim());
        }}
      >
        <input
          type="search"
          aria-label="Filter runs"
          placeholder="Filter runs: metrics.accuracy > 0.9 AND params.optimizer = 'adam'"
          value={draft}
          spellCheck={false}
          className={filterError ? 'invalid mono' : 'mono'}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit">Apply</button>
        {value !== '' && (
          <button
            type="button"
            onClick={() => {
              setDraft('');
              onApply('');
            }}
          >
            Clear
          </button>
        )}
      </form>
      {error !== null && error !== undefined && (
        <div className="filter-error" role="alert" data-testid="filter-error">
          {typeof position === 'number' && value !== '' && (
            <pre className="caret">
              {value}
              {'\n'}
              {`${' '.repeat(position)}^`}
            </pre>
          )}
          <span>{errorMessage(error)}</span>
        </div>
      )}
    </div>
  );
}
