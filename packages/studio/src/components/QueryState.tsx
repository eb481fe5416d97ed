import type { ReactNode } from 'react';
import { errorMessage } from '../api/client.js';

/** What a section shows while its data loads or after it failed; renders `children` once there is data. */
export function QueryState<T>({
  query,
  children,
  what,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean };
  children: (data: T) => ReactNode;
  what: string;
}) {
  if (query.error) return <ErrorBox title={`Could not load ${what}`} error={query.error} />;
  if (query.isPending || query.data === undefined) return <div className="loading">Loading {what}…</div>;
  return <>{children(query.data)}</>;
}

export function ErrorBox({ title, error }: { title: string; error: unknown }) {
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <div>{errorMessage(error)}</div>
    </div>
  );
}
