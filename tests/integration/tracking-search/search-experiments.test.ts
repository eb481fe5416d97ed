import { CairnError, type ViewType } from '@cairn/core';
import type { Dialect, MetadataStore } from '@cairn/store';
import { searchExperimentIds } from '@cairn/tracking';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, openTestMetadataStore } from '../support/metadata-stores.js';
import { seedExperiment, seedWorkspace } from './seed.js';

describe.each(DIALECTS)('searchExperimentIds on %s', (dialect: Dialect) => {
  let store: MetadataStore;
  let dispose: () => Promise<void>;
  let ws: string;
  const names = new Map<number, string>();
  const ids = new Map<string, number>();

  beforeAll(async () => {
    const opened = await openTestMetadataStore(dialect);
    store = opened.store;
    dispose = () => opened.dispose();
    ws = await seedWorkspace(store);
    const other = await seedWorkspace(store);
    const specs: NonNullable<Parameters<typeof seedExperiment>[2]>[] = [
      { name: 'exp-Alpha', creationTime: 100, lastUpdateTime: 900, tags: { team: 'Vision' } },
      { name: 'exp-beta', creationTime: 200, lastUpdateTime: 200, tags: { team: 'vision', prio: 'high' } },
      { name: 'Gamma', creationTime: 300, lastUpdateTime: 300 },
      { name: 'exp-delta', creationTime: 200, lastUpdateTime: 400, deleted: true },
    ];
    for (const s of specs) {
      const id = await seedExperiment(store, ws, s);
      names.set(id, s.name!);
      ids.set(s.name!, id);
    }
    await seedExperiment(store, other, { name: 'exp-Alpha', creationTime: 100 });
  });

  afterAll(async () => {
    await dispose?.();
  });

  async function search(filter: string, orderBy: string[] = [], viewType: ViewType = 'ACTIVE_ONLY') {
    const page = await searchExperimentIds(store, {
      workspaceId: ws,
      filter,
      viewType,
      maxResults: 100,
      orderBy,
    });
    return page.experimentIds.map((id) => names.get(id));
  }

  it('orders by creation_time DESC, experiment_id ASC by default', async () => {
    expect(await search('')).toEqual(['Gamma', 'exp-beta', 'exp-Alpha']);
    expect(await search('', [], 'ALL')).toEqual(['Gamma', 'exp-beta', 'exp-delta', 'exp-Alpha']);
    expect(await search('', [], 'DELETED_ONLY')).toEqual(['exp-delta']);
  });

  it('filters on name with case-sensitive LIKE and case-insensitive ILIKE', async () => {
    expect(await search("name = 'Gamma'")).toEqual(['Gamma']);
    expect(await search("name != 'Gamma'")).toEqual(['exp-beta', 'exp-Alpha']);
    expect(await search("name LIKE 'exp-%'")).toEqual(['exp-beta', 'exp-Alpha']);
    expect(await search("name LIKE '%a'")).toEqual(['Gamma', 'exp-beta', 'exp-Alpha']);
    expect(await search("name LIKE 'exp-a%'")).toEqual([]);
    expect(await search("name ILIKE 'EXP-A%'")).toEqual(['exp-Alpha']);
  });

  it('filters on times, ids and tags', async () => {
    expect(await search('creation_time >= 200')).toEqual(['Gamma', 'exp-beta']);
    expect(await search('last_update_time > 300')).toEqual(['exp-Alpha']);
    expect(await search(`experiment_id = '${ids.get('Gamma')}'`)).toEqual(['Gamma']);
    expect(await search(`experiment_id IN ('${ids.get('Gamma')}', ${ids.get('exp-beta')})`)).toEqual([
      'Gamma',
      'exp-beta',
    ]);
    expect(await search(`experiment_id NOT IN ('${ids.get('Gamma')}')`)).toEqual(['exp-beta', 'exp-Alpha']);
    expect(await search("tags.team = 'vision'")).toEqual(['exp-beta']);
    expect(await search("tags.team ILIKE 'VISION'")).toEqual(['exp-beta', 'exp-Alpha']);
    expect(await search("tags.team != 'vision'")).toEqual(['exp-Alpha']);
    expect(await search('tags.team IS NULL')).toEqual(['Gamma']);
    expect(await search("tag.prio IS NOT NULL AND name LIKE 'exp%'")).toEqual(['exp-beta']);
  });

  it('orders by the given keys, then experiment_id DESC', async () => {
    expect(await search('', ['name'])).toEqual(['Gamma', 'exp-Alpha', 'exp-beta']);
    expect(await search('', ['name DESC'])).toEqual(['exp-beta', 'exp-Alpha', 'Gamma']);
    expect(await search('', ['last_update_time DESC'])).toEqual(['exp-Alpha', 'Gamma', 'exp-beta']);
    expect(await search('', ['experiment_id'])).toEqual(['exp-Alpha', 'exp-beta', 'Gamma']);
  });

  it('pages through all experiments once, and rejects bad input', async () => {
    const seen: number[] = [];
    let token: string | null = null;
    do {
      const page = await searchExperimentIds(store, {
        workspaceId: ws,
        filter: '',
        viewType: 'ALL',
        maxResults: 1,
        orderBy: ['name'],
        pageToken: token,
      });
      seen.push(...page.experimentIds);
      token = page.nextPageToken;
    } while (token);
    expect(seen.map((id) => names.get(id))).toEqual(['Gamma', 'exp-Alpha', 'exp-beta', 'exp-delta']);

    const err = await searchExperimentIds(store, {
      workspaceId: ws,
      filter: "name = 'x' AND creation_time > 'y'",
      viewType: 'ALL',
      maxResults: 10,
      orderBy: [],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CairnError);
    expect((err as CairnError).details).toEqual({ field: 'filter', position: 31 });
    const tokenErr = await searchExperimentIds(store, {
      workspaceId: ws,
      filter: '',
      viewType: 'ALL',
      maxResults: 10,
      orderBy: [],
      pageToken: '%%%',
    }).catch((e: unknown) => e);
    expect((tokenErr as CairnError).details.field).toBe('page_token');
  });
});
