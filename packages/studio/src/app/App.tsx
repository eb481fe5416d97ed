import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Redirect, Route, Router, Switch } from 'wouter';
import { isClientError } from '../api/client.js';
import { WorkspaceProvider } from '../api/workspace-context.js';
import { NotFound } from '../components/NotFound.js';
import { studioPathForMlflowHash } from '../lib/mlflow-links.js';
import { WorkspaceRoutes } from './routes.js';
import { Shell } from './Shell.js';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A 4xx (bad filter, not found) will not change on retry; a network blip may.
      retry: (count, err) => !isClientError(err) && count < 2,
    },
  },
});

/** The default workspace the server creates; `/` goes there. */
export const DEFAULT_WORKSPACE = 'default';

/**
 * Routes: every page lives under `/w/:workspace`, so a URL names its workspace and can be shared.
 * Inside, routes and links are relative to that prefix (wouter's `nest`): `<Link href="/runs/abc">`.
 * Page routes are listed in ./routes.tsx.
 */
export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Router>
        <Switch>
          <Route path="/">
            <Redirect
              to={
                studioPathForMlflowHash(window.location.hash, DEFAULT_WORKSPACE) ?? `/w/${DEFAULT_WORKSPACE}`
              }
              replace
            />
          </Route>
          <Route path="/w/:workspace" nest>
            {(params) => (
              <WorkspaceProvider workspace={decodeURIComponent(params.workspace)}>
                <Shell>
                  <WorkspaceRoutes />
                </Shell>
              </WorkspaceProvider>
            )}
          </Route>
          <Route>
            <NotFound />
          </Route>
        </Switch>
      </Router>
    </QueryClientProvider>
  );
}
