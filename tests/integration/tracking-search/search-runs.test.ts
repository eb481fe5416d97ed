import { CairnError, type ViewType } from '@cairn/core';
import type { Dialect, MetadataStore } from '@cairn/store';
import { encodePageToken, searchRunIds } from '@cairn/tracking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestMetadataStore } from '../support/metadata-stores.js';
import { type SeedRun, seedExperiment, seedRuns, seedWorkspace } from './seed.js';

describe.each(DIALECTS)('searchRunIds on %s', (dialect: Dialect) => {
  let store: MetadataStore;
  let dispose: () => Promise<void>;
  let ws: string;
  let e1: number;
  let e2: number;
  let ids: Map<string, string>;
  let names: Map<string, string>;

  beforeAll(async () => {
    const opened = await openTestMetadataStore(dialect);
    store = opened.store;
    dispose = () => opened.dispose();
    ws = await seedWorkspace(store);
    const otherWs = await seedWorkspace(store);
    e1 = await seedExperiment(store, ws);
    e2 = await seedExperiment(store, ws);
    const e3 = await seedExperiment(store, otherWs);
    ids = await seedRuns(store, [
      {
        name: 'alpha',
        experimentId: e1,
        workspaceId: ws,
        startTime: 1000,
        endTime: 2000,
        userId: 'alice',
        metrics: { acc: 0.9, loss: 0.1 },
        params: { model: 'CNN', lr: '0.1', pat: 'a*b[1]?' },
        tags: { team: 'Vision' },
        datasets: [{ name: 'mnist', digest: 'd1', context: 'training' }],
      },
      {
        name: 'beta',
        experimentId: e1,
        workspaceId: ws,
        startTime: 2000,
        status: 'RUNNING',
        userId: 'bob',
        metrics: { acc: 0.5, loss: Number.NaN },
        params: { model: 'cnn', pat: 'aXb1Z' },
        tags: { team: 'vision' },
      },
      {
        name: 'gamma',
        experimentId: e1,
        workspaceId: ws,
        startTime: 3000,
        endTime: 3500,
        status: 'FAILED',
        metrics: { acc: Number.NaN, loss: Number.POSITIVE_INFINITY },
        params: { model: 'rnn_x' },
      },
      {
        name: 'delta',
        experimentId: e1,
        workspaceId: ws,
        startTime: 4000,
        endTime: 5000,
        metrics: { acc: Number.NEGATIVE_INFINITY },
        tags: { team: 'nlp' },
        datasets: [
          { name: 'cifar', digest: 'd2', context: 'eval' },
          { name: 'svhn', digest: 'd3' },
        ],
      },
      {
        name: 'eps',
        experimentId: e1,
        workspaceId: ws,
        startTime: 5000,
        deleted: true,
        metrics: { acc: 0.7 },
      },
      { name: 'eta', experimentId: e1, workspaceId: ws, startTime: 1000 },
      { name: 'zeta', experimentId: e2, workspaceId: ws, startTime: 500, metrics: { acc: 1 } },
      { name: 'theta', experimentId: e3, workspaceId: otherWs, startTime: 100, metrics: { acc: 0.95 } },
    ]);
    names = new Map([...ids].map(([name, id]) => [id, name]));
  });

  afterAll(async () => {
    await dispose?.();
  });

  async function search(
    filter: string,
    opts: { orderBy?: string[]; viewType?: ViewType; experimentIds?: number[]; maxResults?: number } = {},
  ): Promise<string[]> {
    const page = await searchRunIds(store, {
      workspaceId: ws,
      experimentIds: opts.experimentIds ?? [e1],
      filter,
      viewType: opts.viewType ?? 'ACTIVE_ONLY',
      maxResults: opts.maxResults ?? 1000,
      orderBy: opts.orderBy ?? [],
    });
    return page.runIds.map((id) => names.get(id)!);
  }

  /** alpha and eta share start_time 1000; MLflow breaks the tie on run_id ascending. */
  const byId = (a: string, b: string) => (ids.get(a)! < ids.get(b)! ? [a, b] : [b, a]);

  it('orders by start_time DESC then run_id when no order_by is given', async () => {
    expect(await search('')).toEqual(['delta', 'gamma', 'beta', ...byId('alpha', 'eta')]);
  });

  it('applies every metric operator; NaN only satisfies !=', async () => {
    expect(await search('metrics.acc > 0.6')).toEqual(['alpha']);
    expect(await search('metrics.acc >= 0.5')).toEqual(['beta', 'alpha']);
    expect(await search('metrics.acc = 0.5')).toEqual(['beta']);
    expect(await search('metrics.acc != 0.5')).toEqual(['delta', 'gamma', 'alpha']);
    expect(await search('metrics.acc < 0.6')).toEqual(['delta', 'beta']);
    expect(await search('metrics.acc <= 0.9')).toEqual(['delta', 'beta', 'alpha']);
    expect(await search('metrics.loss > 1e308')).toEqual(['gamma']);
    expect(await search('metrics.loss != 0.1')).toEqual(['gamma', 'beta']);
    expect(await search('metric.acc > 0 AND metrics.acc < 0.95 AND metrics.loss < 1')).toEqual(['alpha']);
    expect(await search('metrics.missing > 0')).toEqual([]);
  });

  it('orders metrics with ±Inf among numbers, then NaN, then runs lacking the metric', async () => {
    expect(await search('', { orderBy: ['metrics.acc DESC'] })).toEqual([
      'alpha',
      'beta',
      'delta',
      'gamma',
      'eta',
    ]);
    expect(await search('', { orderBy: ['metrics.acc ASC'] })).toEqual([
      'delta',
      'beta',
      'alpha',
      'gamma',
      'eta',
    ]);
    expect(await search('', { orderBy: ['metrics.loss'] })).toEqual([
      'alpha',
      'gamma',
      'beta',
      'delta',
      'eta',
    ]);
    expect(await search('', { orderBy: ['metrics.loss DESC'] })).toEqual([
      'gamma',
      'alpha',
      'beta',
      'delta',
      'eta',
    ]);
  });

  it('orders by the filtered metric, keeping NaN last when != lets it through', async () => {
    expect(await search('metrics.acc != 7', { orderBy: ['metrics.acc DESC'] })).toEqual([
      'alpha',
      'beta',
      'delta',
      'gamma',
    ]);
    expect(await search('metrics.acc > -1', { orderBy: ['metrics.acc ASC'] })).toEqual(['beta', 'alpha']);
    expect(await search('metrics.acc > -1', { orderBy: ['metrics.loss DESC'] })).toEqual(['alpha', 'beta']);
  });

  it('compares params and tags; LIKE is case-sensitive and ILIKE is not', async () => {
    expect(await search("params.model = 'cnn'")).toEqual(['beta']);
    expect(await search("params.model = 'CNN'")).toEqual(['alpha']);
    expect(await search("params.model LIKE 'cnn'")).toEqual(['beta']);
    expect(await search("params.model LIKE 'CNN'")).toEqual(['alpha']);
    expect(await search("params.model ILIKE 'cnn'")).toEqual(['beta', 'alpha']);
    expect(await search("params.model LIKE 'c%'")).toEqual(['beta']);
    expect(await search("params.model ILIKE 'C_N'")).toEqual(['beta', 'alpha']);
    expect(await search("params.model LIKE '%N'")).toEqual(['alpha']);
    expect(await search("params.model LIKE 'rnn\\_%'")).toEqual(['gamma']);
    expect(await search("params.model != 'cnn'")).toEqual(['gamma', 'alpha']);
    expect(await search("tags.team ILIKE 'VISION'")).toEqual(['beta', 'alpha']);
    expect(await search("tags.team != 'nlp'")).toEqual(['beta', 'alpha']);
    expect(await search("tags.`mlflow.runName` = 'gamma'")).toEqual(['gamma']);
  });

  it('treats GLOB and LIKE special characters in a LIKE pattern literally', async () => {
    expect(await search("params.pat LIKE 'a*b[1]?'")).toEqual(['alpha']);
    expect(await search("params.pat LIKE 'a_b%'")).toEqual(['beta', 'alpha']);
    expect(await search("params.pat LIKE 'a\\*%'")).toEqual(['alpha']);
  });

  it('supports IS NULL and IS NOT NULL on params and tags', async () => {
    expect(await search('params.model IS NULL')).toEqual(['delta', 'eta']);
    expect(await search('params.model IS NOT NULL')).toEqual(['gamma', 'beta', 'alpha']);
    expect(await search('tags.team IS NULL')).toEqual(['gamma', 'eta']);
    expect(await search("tags.team IS NOT NULL AND params.model ILIKE 'CNN'")).toEqual(['beta', 'alpha']);
  });

  it('filters on string and numeric attributes', async () => {
    expect(await search("attributes.status = 'FINISHED'")).toEqual(['delta', ...byId('alpha', 'eta')]);
    expect(await search("status != 'FINISHED'")).toEqual(['gamma', 'beta']);
    expect(await search("run_name = 'beta'")).toEqual(['beta']);
    expect(await search("`Run Name` LIKE 'g%'")).toEqual(['gamma']);
    expect(await search("attributes.user_id ILIKE 'ALICE'")).toEqual(['alpha']);
    expect(await search("attributes.user_id LIKE 'ALICE'")).toEqual([]);
    expect(await search('start_time >= 2000')).toEqual(['delta', 'gamma', 'beta']);
    expect(await search('start_time > 1999.5')).toEqual(['delta', 'gamma', 'beta']);
    expect(await search('start_time < 2000.5 AND start_time <= 1000.5')).toEqual(byId('alpha', 'eta'));
    expect(await search('created = 1000.5')).toEqual([]);
    expect(await search('attributes.created = 1000')).toEqual(byId('alpha', 'eta'));
    expect(await search('end_time < 3000')).toEqual(['alpha']);
    expect(await search('end_time != 2000')).toEqual(['delta', 'gamma']);
    expect(await search(`artifact_uri LIKE '%/${ids.get('gamma')}/%'`)).toEqual(['gamma']);
  });

  it('filters run_id with =, IN and NOT IN', async () => {
    const [a, g] = [ids.get('alpha')!, ids.get('gamma')!];
    expect(await search(`attributes.run_id = '${a}'`)).toEqual(['alpha']);
    expect(await search(`run_id IN ('${a}', '${g}', 'nope')`)).toEqual(['gamma', 'alpha']);
    expect(await search(`run_id NOT IN ('${a}', '${g}')`)).toEqual(['delta', 'beta', 'eta']);
    expect(await search(`run_id IN ('${ids.get('theta')}')`)).toEqual([]);
  });

  it('filters on dataset name, digest and context', async () => {
    expect(await search("datasets.name = 'mnist'")).toEqual(['alpha']);
    expect(await search("datasets.digest IN ('d1', 'd3')")).toEqual(['delta', 'alpha']);
    expect(await search("dataset.name NOT IN ('mnist')")).toEqual(['delta']);
    expect(await search("datasets.context = 'eval'")).toEqual(['delta']);
    expect(await search("datasets.context LIKE 'train%'")).toEqual(['alpha']);
    expect(await search("datasets.name ILIKE 'MNIST' AND metrics.acc > 0")).toEqual(['alpha']);
  });

  it('honours view types, experiment lists and the workspace', async () => {
    expect(await search('metrics.acc > 0.6', { viewType: 'ALL' })).toEqual(['eps', 'alpha']);
    expect(await search('', { viewType: 'DELETED_ONLY' })).toEqual(['eps']);
    expect(await search('metrics.acc > 0.6', { experimentIds: [e1, e2] })).toEqual(['alpha', 'zeta']);
    expect(await search('', { experimentIds: [] })).toEqual([]);
    expect(await search('metrics.acc > 0.91', { experimentIds: [e1, e2, e2 + 1] })).toEqual(['zeta']);
  });

  it('orders by attributes, params and tags, missing values last', async () => {
    expect(await search('', { orderBy: ['attributes.run_name'] })).toEqual([
      'alpha',
      'beta',
      'delta',
      'eta',
      'gamma',
    ]);
    expect(await search('', { orderBy: ['end_time DESC'] })).toEqual([
      'delta',
      'gamma',
      'alpha',
      'beta',
      'eta',
    ]);
    expect(await search('', { orderBy: ['end_time ASC'] })).toEqual([
      'alpha',
      'gamma',
      'delta',
      'beta',
      'eta',
    ]);
    expect(await search('', { orderBy: ['start_time ASC'] })).toEqual([
      ...byId('alpha', 'eta'),
      'beta',
      'gamma',
      'delta',
    ]);
    expect(await search('', { orderBy: ['params.model'] })).toEqual([
      'alpha',
      'beta',
      'gamma',
      'delta',
      'eta',
    ]);
    expect(await search('', { orderBy: ['params.model DESC'] })).toEqual([
      'gamma',
      'beta',
      'alpha',
      'delta',
      'eta',
    ]);
    expect(await search('', { orderBy: ['tags.team DESC', 'metrics.acc'] })).toEqual([
      'beta',
      'delta',
      'alpha',
      'gamma',
      'eta',
    ]);
    expect(await search("params.model ILIKE 'cnn'", { orderBy: ['params.model DESC'] })).toEqual([
      'beta',
      'alpha',
    ]);
  });

  it('rejects bad filters, order_by, page tokens and max_results with INVALID_ARGUMENT', async () => {
    const fail = async (q: Partial<Parameters<typeof searchRunIds>[1]>) => {
      const err = await searchRunIds(store, {
        workspaceId: ws,
        experimentIds: [e1],
        filter: '',
        viewType: 'ACTIVE_ONLY',
        maxResults: 10,
        orderBy: [],
        ...q,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CairnError);
      expect((err as CairnError).code).toBe('INVALID_ARGUMENT');
      return err as CairnError;
    };
    const bad = await fail({ filter: 'metrics.acc > 0.5 AND params.x LIKE 5' });
    expect(bad.details).toEqual({ field: 'filter', position: 36 });
    expect(bad.message).toContain(
      "Invalid filter at position 36: expected a quoted string for params.x, found '5'",
    );
    expect((await fail({ orderBy: ['metrics.a', 'metrics.a'] })).details.field).toBe('order_by[1]');
    expect((await fail({ pageToken: 'garbage!' })).details.field).toBe('page_token');
    expect((await fail({ pageToken: Buffer.from('{"x":1}').toString('base64') })).message).toContain(
      'page_token',
    );
    expect((await fail({ pageToken: Buffer.from('{"offset":-3}').toString('base64') })).details.field).toBe(
      'page_token',
    );
    expect((await fail({ maxResults: 0 })).message).toContain("Invalid value 0 for parameter 'max_results'");
    expect((await fail({ maxResults: 50001 })).message).toContain('It must be at most 50000');
  });

  it('pages through every run exactly once, in the same order as one big page', async () => {
    const exp = await seedExperiment(store, ws);
    const runs = Array.from(
      { length: 37 },
      (_, i): SeedRun => ({
        name: `p${i}`,
        experimentId: exp,
        workspaceId: ws,
        startTime: 1000 + (i % 5),
        metrics: i % 7 === 0 ? {} : { m: i % 4 === 0 ? Number.NaN : (i * 13) % 11 },
        params: i % 3 === 0 ? {} : { p: `v${i % 6}` },
      }),
    );
    const pageIds = await seedRuns(store, runs);
    const pageNames = new Map([...pageIds].map(([n, id]) => [id, n]));
    for (const orderBy of [[], ['metrics.m DESC'], ['params.p', 'metrics.m'], ['start_time ASC']]) {
      for (const filter of ['', 'metrics.m != 3']) {
        const q = {
          workspaceId: ws,
          experimentIds: [exp],
          filter,
          viewType: 'ACTIVE_ONLY' as const,
          orderBy,
        };
        const all = (await searchRunIds(store, { ...q, maxResults: 1000 })).runIds;
        const paged: string[] = [];
        let token: string | null = null;
        let pages = 0;
        do {
          const page = await searchRunIds(store, { ...q, maxResults: 6, pageToken: token });
          paged.push(...page.runIds);
          token = page.nextPageToken;
          pages++;
        } while (token !== null);
        expect(paged).toEqual(all);
        expect(new Set(paged).size).toBe(paged.length);
        expect(pages).toBe(Math.max(1, Math.ceil(all.length / 6)));
        if (filter === '')
          expect(all.map((id) => pageNames.get(id)).sort()).toEqual([...pageIds.keys()].sort());
      }
    }
    const past = await searchRunIds(store, {
      workspaceId: ws,
      experimentIds: [exp],
      filter: '',
      viewType: 'ACTIVE_ONLY',
      orderBy: [],
      maxResults: 10,
      pageToken: encodePageToken(100),
    });
    expect(past).toEqual({ runIds: [], nextPageToken: null });
  });
});
