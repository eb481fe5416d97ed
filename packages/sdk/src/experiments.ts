import { paginate, type Transport } from './transport.js';
import type {
  CreateExperimentRequest,
  Experiment,
  ExperimentPage,
  SearchExperimentsRequest,
  UpdateExperimentRequest,
} from './wire.js';

/** Experiments of one workspace. */
export class ExperimentsApi {
  readonly #t: Transport;
  readonly #base: string;

  constructor(transport: Transport, workspace: string) {
    this.#t = transport;
    this.#base = `/api/v1/workspaces/${encodeURIComponent(workspace)}/experiments`;
  }

  /** One page of a search (MLflow's experiment filter grammar, e.g. `name LIKE 'train%'`). */
  search(query: SearchExperimentsRequest = {}): Promise<ExperimentPage> {
    return this.#t.json('GET', this.#base, { query: { ...query } });
  }

  /** Every matching experiment, fetching pages as the loop goes. */
  iterate(
    query: Omit<SearchExperimentsRequest, 'pageToken'> = {},
  ): AsyncGenerator<Experiment, void, undefined> {
    return paginate(
      (pageToken) => this.search({ ...query, pageToken }),
      (p) => p.experiments,
    );
  }

  async create(request: CreateExperimentRequest): Promise<Experiment> {
    return (await this.#t.json<{ experiment: Experiment }>('POST', this.#base, { body: request })).experiment;
  }

  async get(experimentId: string): Promise<Experiment> {
    return (
      await this.#t.json<{ experiment: Experiment }>(
        'GET',
        `${this.#base}/${encodeURIComponent(experimentId)}`,
      )
    ).experiment;
  }

  async getByName(name: string): Promise<Experiment> {
    return (
      await this.#t.json<{ experiment: Experiment }>(
        'GET',
        `${this.#base}/by-name/${encodeURIComponent(name)}`,
      )
    ).experiment;
  }

  async update(experimentId: string, request: UpdateExperimentRequest): Promise<Experiment> {
    return (
      await this.#t.json<{ experiment: Experiment }>(
        'PATCH',
        `${this.#base}/${encodeURIComponent(experimentId)}`,
        {
          body: request,
        },
      )
    ).experiment;
  }

  async delete(experimentId: string, options: { message?: string } = {}): Promise<Experiment> {
    return (
      await this.#t.json<{ experiment: Experiment }>(
        'DELETE',
        `${this.#base}/${encodeURIComponent(experimentId)}`,
        {
          headers: options.message ? { 'x-cairn-message': options.message } : {},
        },
      )
    ).experiment;
  }

  async restore(experimentId: string, options: { message?: string } = {}): Promise<Experiment> {
    return (
      await this.#t.json<{ experiment: Experiment }>(
        'POST',
        `${this.#base}/${encodeURIComponent(experimentId)}/restore`,
        { body: options.message ? { message: options.message } : {} },
      )
    ).experiment;
  }
}
