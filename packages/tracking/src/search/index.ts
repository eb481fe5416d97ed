export {
  type SearchExperimentsPage,
  type SearchExperimentsQuery,
  searchExperimentIds,
} from './experiment-search.js';
export { decodePageToken, encodePageToken } from './page-token.js';
export { type SearchRunsPage, type SearchRunsQuery, searchRunIds } from './run-search.js';
