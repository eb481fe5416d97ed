import type { ComponentType } from 'react';
import { Route, Switch } from 'wouter';
import { NotFound } from '../components/NotFound.js';
import { ComparePage } from '../pages/compare/ComparePage.js';
import { ComputePage } from '../pages/compute/ComputePage.js';
import { CreateJobPage } from '../pages/create/CreateJobPage.js';
import { DashboardPage } from '../pages/dashboard/DashboardPage.js';
import { DataAssetPage } from '../pages/data/DataAssetPage.js';
import { DataListPage } from '../pages/data/DataListPage.js';
import { DataVersionPage } from '../pages/data/DataVersionPage.js';
import { EnvironmentsPage } from '../pages/environments/EnvironmentsPage.js';
import { ExperimentPage } from '../pages/experiment/ExperimentPage.js';
import { HomePage } from '../pages/home/HomePage.js';
import { JobPage } from '../pages/jobs/JobPage.js';
import { JobsPage } from '../pages/jobs/JobsPage.js';
import { RunPage } from '../pages/run/RunPage.js';

/**
 * The studio's pages, relative to `/w/:workspace`. To add a page: write it under pages/<name>/, add
 * its route here, and (for a top-level section) a nav entry below. Route params reach the component
 * as `params` (wouter); query-string state is read with `useSearchParams()`.
 */
export interface PageRoute {
  path: string;
  component: ComponentType<{ params: Record<string, string | undefined> }>;
}

export const routes: PageRoute[] = [
  { path: '/', component: HomePage },
  { path: '/experiments/:experimentId', component: ExperimentPage },
  { path: '/runs/:runId', component: RunPage },
  // compare (pages/compare) and an experiment's dashboards (pages/dashboard)
  { path: '/compare', component: ComparePage },
  { path: '/experiments/:experimentId/dashboards', component: DashboardPage },
  { path: '/experiments/:experimentId/dashboards/:dashboardId', component: DashboardPage },
  { path: '/runs/:runId/:tab', component: RunPage },
  // data (pages/data): assets, a version (`latest` allowed) and its tabs
  { path: '/data', component: DataListPage },
  { path: '/data/:name', component: DataAssetPage },
  { path: '/data/:name/:version', component: DataVersionPage },
  { path: '/data/:name/:version/:tab', component: DataVersionPage },
  // jobs (pages/jobs, create, compute, environments)
  { path: '/jobs', component: JobsPage },
  { path: '/jobs/:name', component: JobPage },
  { path: '/jobs/:name/:tab', component: JobPage },
  { path: '/create/job', component: CreateJobPage },
  { path: '/compute', component: ComputePage },
  { path: '/environments', component: EnvironmentsPage },
];

/** Sections in the top bar; `match` is the path prefix that marks the entry active. */
export interface NavItem {
  href: string;
  label: string;
  match: string;
}

export const navItems: NavItem[] = [
  { href: '/', label: 'Experiments', match: '/' },
  { href: '/data', label: 'Data', match: '/data' },
  { href: '/jobs', label: 'Jobs', match: '/jobs' },
  { href: '/compute', label: 'Compute', match: '/compute' },
  { href: '/environments', label: 'Environments', match: '/environments' },
];

export function WorkspaceRoutes() {
  return (
    <Switch>
      {routes.map((r) => (
        <Route key={r.path} path={r.path} component={r.component} />
      ))}
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}
