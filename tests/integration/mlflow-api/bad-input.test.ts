import { randomBytes } from 'node:crypto';
import type { Dialect } from '@cairn/store';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/metadata-stores.js';
import { expectMlflowError, type MlflowTestServer, type Payload, startMlflowServer } from './harness.js';

/**
 * Bad input on every MLflow route: each request gets MLflow's error format with the right status and
 * code, a message naming the field, never a 5xx (checked on every response by the harness), and
 * leaves the stores exactly as they were (row counts of every table and the blob folder's files).
 */

const A = '/api/2.0/mlflow';
const R = '/api/2.0/mlflow-artifacts';
const BODY_LIMIT = 64 * 1024;
const NO_RUN = '0123456789abcdef0123456789abcdef';
const NO_EXP = '987654321';
const NO_MODEL = 'm-00000000000000000000000000000000';
const NO_UPLOAD = '00000000-0000-4000-8000-000000000000';
const INVALID = 'INVALID_PARAMETER_VALUE';
const MISSING = 'RESOURCE_DOES_NOT_EXIST';

const fresh = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const now = () => Date.now();

interface Fixture {
  exp: string;
  run: string;
  deletedRun: string;
  deletedExp: string;
  model: string;
  uploadId: string;
}

interface Case {
  name: string;
  method: InjectOptions['method'];
  url: (fx: Fixture) => string;
  body?: (fx: Fixture) => Payload;
  status: number;
  code: string;
  mentions?: (fx: Fixture) => string[];
}

/** Every POST/PATCH route with a JSON body, with ids that exist so only the body is wrong. */
const JSON_ROUTES: { method: 'POST' | 'PATCH'; url: (fx: Fixture) => string }[] = [
  ...[
    'experiments/create',
    'experiments/search',
    'experiments/delete',
    'experiments/restore',
    'experiments/update',
    'experiments/set-experiment-tag',
    'experiments/delete-experiment-tag',
    'runs/create',
    'runs/update',
    'runs/delete',
    'runs/restore',
    'runs/search',
    'runs/log-metric',
    'runs/log-parameter',
    'runs/set-tag',
    'runs/delete-tag',
    'runs/log-batch',
    'runs/log-model',
    'runs/log-inputs',
    'runs/outputs',
    'logged-models',
    'logged-models/search',
  ].map((p) => ({ method: 'POST' as const, url: () => `${A}/${p}` })),
  { method: 'PATCH', url: (fx) => `${A}/logged-models/${fx.model}` },
  { method: 'PATCH', url: (fx) => `${A}/logged-models/${fx.model}/tags` },
  { method: 'POST', url: (fx) => `${A}/logged-models/${fx.model}/params` },
  { method: 'POST', url: (fx) => `${R}/mpu/create/${fx.exp}/${fx.run}/artifacts` },
  { method: 'POST', url: (fx) => `${R}/mpu/complete/${fx.exp}/${fx.run}/artifacts` },
  { method: 'POST', url: (fx) => `${R}/mpu/abort/${fx.exp}/${fx.run}/artifacts` },
];

const missingField = (
  route: string,
  field: string,
  body: (fx: Fixture) => Payload,
  method: 'POST' | 'PATCH' | 'GET' = 'POST',
): Case => ({
  name: `${method} ${route} without ${field}`,
  method,
  url: (fx) => (route.startsWith('/') ? route : `${A}/${route}`).replace(':model', fx.model),
  body,
  status: 400,
  code: INVALID,
  mentions: () => [`'${field}'`],
});

const MISSING_FIELDS: Case[] = [
  missingField('experiments/create', 'name', () => ({})),
  missingField('experiments/delete', 'experiment_id', () => ({})),
  missingField('experiments/restore', 'experiment_id', () => ({})),
  missingField('experiments/update', 'experiment_id', () => ({ new_name: fresh('n') })),
  missingField('experiments/update', 'new_name', (fx) => ({ experiment_id: fx.exp })),
  missingField('experiments/set-experiment-tag', 'key', (fx) => ({ experiment_id: fx.exp, value: 'v' })),
  missingField('experiments/delete-experiment-tag', 'key', (fx) => ({ experiment_id: fx.exp })),
  missingField('runs/update', 'run_id', () => ({ status: 'FINISHED' })),
  missingField('runs/delete', 'run_id', () => ({})),
  missingField('runs/restore', 'run_id', () => ({})),
  missingField('runs/log-metric', 'run_id', () => ({ key: 'm', value: 1, timestamp: now() })),
  missingField('runs/log-metric', 'key', (fx) => ({ run_id: fx.run, value: 1, timestamp: now() })),
  missingField('runs/log-metric', 'value', (fx) => ({ run_id: fx.run, key: 'm', timestamp: now() })),
  missingField('runs/log-metric', 'timestamp', (fx) => ({ run_id: fx.run, key: 'm', value: 1 })),
  missingField('runs/log-parameter', 'run_id', () => ({ key: 'p', value: '1' })),
  missingField('runs/log-parameter', 'key', (fx) => ({ run_id: fx.run, value: '1' })),
  missingField('runs/set-tag', 'run_id', () => ({ key: 't', value: '1' })),
  missingField('runs/set-tag', 'key', (fx) => ({ run_id: fx.run, value: '1' })),
  missingField('runs/delete-tag', 'key', (fx) => ({ run_id: fx.run })),
  missingField('runs/log-batch', 'run_id', () => ({ metrics: [{ key: 'm', value: 1, timestamp: now() }] })),
  missingField('runs/log-batch', 'metrics[0].key', (fx) => ({
    run_id: fx.run,
    metrics: [{ value: 1, timestamp: now() }],
  })),
  missingField('runs/log-batch', 'metrics[1].value', (fx) => ({
    run_id: fx.run,
    metrics: [
      { key: 'm', value: 1, timestamp: now() },
      { key: 'm', timestamp: now() },
    ],
  })),
  missingField('runs/log-batch', 'metrics[0].timestamp', (fx) => ({
    run_id: fx.run,
    metrics: [{ key: 'm', value: 1 }],
  })),
  missingField('runs/log-batch', 'params[0].key', (fx) => ({ run_id: fx.run, params: [{ value: '1' }] })),
  missingField('runs/log-batch', 'tags[0].key', (fx) => ({ run_id: fx.run, tags: [{ value: '1' }] })),
  missingField('runs/log-model', 'model_json', (fx) => ({ run_id: fx.run })),
  missingField('runs/log-inputs', 'run_id', () => ({ datasets: [] })),
  missingField('runs/log-inputs', 'datasets[0].dataset', (fx) => ({ run_id: fx.run, datasets: [{}] })),
  missingField('runs/outputs', 'model_id', (fx) => ({ run_id: fx.run, models: [{ step: 1 }] })),
  missingField('logged-models', 'experiment_id', () => ({ name: 'm' })),
  missingField('/api/2.0/mlflow/logged-models/:model', 'status', () => ({}), 'PATCH'),
  missingField(`${R}/mpu/create/1/r/artifacts`, 'path', () => ({ num_parts: 1 })),
  missingField(`${R}/mpu/create/1/r/artifacts`, 'num_parts', () => ({ path: 'big.bin' })),
  missingField(`${R}/mpu/complete/1/r/artifacts`, 'upload_id', () => ({ parts: [] })),
  missingField(`${R}/mpu/abort/1/r/artifacts`, 'upload_id', () => ({})),
];

const missingQuery = (route: string, field: string, query: (fx: Fixture) => string): Case => ({
  name: `GET ${route} without ${field}`,
  method: 'GET',
  url: (fx) => `${A}/${route}?${query(fx)}`,
  status: 400,
  code: INVALID,
  mentions: () => [`'${field}'`],
});

const MISSING_QUERY: Case[] = [
  missingQuery('experiments/get', 'experiment_id', () => ''),
  missingQuery('experiments/get-by-name', 'experiment_name', () => ''),
  missingQuery('runs/get', 'run_id', () => ''),
  missingQuery('metrics/get-history', 'run_id', () => 'metric_key=m'),
  missingQuery('metrics/get-history', 'metric_key', (fx) => `run_id=${fx.run}`),
  missingQuery('metrics/get-history-bulk-interval', 'run_ids', () => 'metric_key=m'),
  missingQuery('metrics/get-history-bulk-interval', 'metric_key', (fx) => `run_ids=${fx.run}`),
];

const wrongType = (
  route: string,
  field: string,
  body: (fx: Fixture) => Payload,
  method: 'POST' | 'GET' = 'POST',
): Case => ({
  name: `${method} ${route}: wrong type for ${field}`,
  method,
  url: () => (route.startsWith('/') ? route : `${A}/${route}`),
  body,
  status: 400,
  code: INVALID,
  mentions: () => [field],
});

const metric = (extra: Record<string, unknown>) => ({
  key: 'm',
  value: 1,
  timestamp: now(),
  step: 0,
  ...extra,
});

const WRONG_TYPES: Case[] = [
  wrongType('runs/log-metric', 'timestamp', (fx) => ({ run_id: fx.run, ...metric({ timestamp: 'abc' }) })),
  wrongType('runs/log-metric', 'step', (fx) => ({ run_id: fx.run, ...metric({ step: 1.5 }) })),
  wrongType('runs/log-metric', 'value', (fx) => ({ run_id: fx.run, ...metric({ value: {} }) })),
  wrongType('runs/log-metric', 'value', (fx) => ({ run_id: fx.run, ...metric({ value: 'abc' }) })),
  wrongType('runs/log-metric', 'key', (fx) => ({ run_id: fx.run, ...metric({ key: { a: 1 } }) })),
  wrongType('runs/log-batch', 'metrics[0].timestamp', (fx) => ({
    run_id: fx.run,
    metrics: [metric({ timestamp: 'abc' })],
  })),
  wrongType('runs/log-batch', 'metrics[0].step', (fx) => ({
    run_id: fx.run,
    metrics: [metric({ step: 1.5 })],
  })),
  wrongType('runs/log-batch', 'metrics[0].value', (fx) => ({
    run_id: fx.run,
    metrics: [metric({ value: {} })],
  })),
  wrongType('runs/log-batch', 'metrics', (fx) => ({ run_id: fx.run, metrics: 'abc' })),
  wrongType('runs/log-batch', 'metrics[0]', (fx) => ({ run_id: fx.run, metrics: [1] })),
  wrongType('runs/log-batch', 'params[0].value', (fx) => ({
    run_id: fx.run,
    params: [{ key: 'p2', value: {} }],
  })),
  wrongType('runs/log-batch', 'tags[0].value', (fx) => ({
    run_id: fx.run,
    tags: [{ key: 't2', value: [1] }],
  })),
  wrongType('runs/log-parameter', 'value', (fx) => ({ run_id: fx.run, key: 'p3', value: { a: 1 } })),
  wrongType('runs/set-tag', 'value', (fx) => ({ run_id: fx.run, key: 't3', value: { a: 1 } })),
  wrongType('runs/create', 'start_time', (fx) => ({ experiment_id: fx.exp, start_time: 'abc' })),
  wrongType('runs/create', 'experiment_id', () => ({ experiment_id: 'abc' })),
  wrongType('runs/create', 'tags', (fx) => ({ experiment_id: fx.exp, tags: 'abc' })),
  wrongType('runs/update', 'status', (fx) => ({ run_id: fx.run, status: 'SIDEWAYS' })),
  wrongType('runs/update', 'end_time', (fx) => ({ run_id: fx.run, end_time: 'abc' })),
  wrongType('experiments/create', 'name', () => ({ name: { a: 1 } })),
  wrongType('experiments/create', 'tags', () => ({ name: fresh('e'), tags: 'abc' })),
  wrongType('experiments/delete', 'experiment_id', () => ({ experiment_id: 'abc' })),
  wrongType('experiments/search', 'view_type', () => ({ view_type: 'SOME' })),
  wrongType('runs/search', 'run_view_type', (fx) => ({ experiment_ids: [fx.exp], run_view_type: 'SOME' })),
  wrongType('runs/search', 'experiment_ids[0]', () => ({ experiment_ids: ['abc'] })),
  wrongType('runs/search', 'max_results', (fx) => ({ experiment_ids: [fx.exp], max_results: 'ten' })),
  wrongType('runs/log-model', 'model_json', (fx) => ({ run_id: fx.run, model_json: '{not json' })),
  wrongType(`${R}/mpu/create/1/r/artifacts`, 'num_parts', () => ({ path: 'big.bin', num_parts: 'abc' })),
  wrongType(`${R}/mpu/create/1/r/artifacts`, 'num_parts', () => ({ path: 'big.bin', num_parts: 0 })),
  wrongType(`${R}/mpu/create/1/r/artifacts`, 'num_parts', () => ({ path: 'big.bin', num_parts: 10_001 })),
];

const unknown = (
  name: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  url: (fx: Fixture) => string,
  body?: (fx: Fixture) => Payload,
): Case => ({
  name: `${name} → 404`,
  method,
  url,
  body,
  status: 404,
  code: MISSING,
});

const UNKNOWN_IDS: Case[] = [
  unknown('experiments/get unknown id', 'GET', () => `${A}/experiments/get?experiment_id=${NO_EXP}`),
  unknown(
    'experiments/get-by-name unknown name',
    'GET',
    () => `${A}/experiments/get-by-name?experiment_name=${fresh('none')}`,
  ),
  unknown(
    'experiments/delete unknown id',
    'POST',
    () => `${A}/experiments/delete`,
    () => ({ experiment_id: NO_EXP }),
  ),
  unknown(
    'experiments/restore unknown id',
    'POST',
    () => `${A}/experiments/restore`,
    () => ({ experiment_id: NO_EXP }),
  ),
  unknown(
    'experiments/update unknown id',
    'POST',
    () => `${A}/experiments/update`,
    () => ({ experiment_id: NO_EXP, new_name: fresh('n') }),
  ),
  unknown(
    'set-experiment-tag unknown id',
    'POST',
    () => `${A}/experiments/set-experiment-tag`,
    () => ({ experiment_id: NO_EXP, key: 'k', value: 'v' }),
  ),
  unknown(
    'delete-experiment-tag unknown id',
    'POST',
    () => `${A}/experiments/delete-experiment-tag`,
    () => ({ experiment_id: NO_EXP, key: 'k' }),
  ),
  unknown(
    'runs/create in unknown experiment',
    'POST',
    () => `${A}/runs/create`,
    () => ({ experiment_id: NO_EXP }),
  ),
  unknown('runs/get unknown run', 'GET', () => `${A}/runs/get?run_uuid=${NO_RUN}&run_id=${NO_RUN}`),
  unknown(
    'runs/update unknown run',
    'POST',
    () => `${A}/runs/update`,
    () => ({ run_id: NO_RUN, status: 'FINISHED' }),
  ),
  unknown(
    'runs/delete unknown run',
    'POST',
    () => `${A}/runs/delete`,
    () => ({ run_id: NO_RUN }),
  ),
  unknown(
    'runs/restore unknown run',
    'POST',
    () => `${A}/runs/restore`,
    () => ({ run_id: NO_RUN }),
  ),
  unknown(
    'runs/log-metric unknown run',
    'POST',
    () => `${A}/runs/log-metric`,
    () => ({ run_id: NO_RUN, ...metric({}) }),
  ),
  unknown(
    'runs/log-parameter unknown run',
    'POST',
    () => `${A}/runs/log-parameter`,
    () => ({ run_id: NO_RUN, key: 'p', value: '1' }),
  ),
  unknown(
    'runs/set-tag unknown run',
    'POST',
    () => `${A}/runs/set-tag`,
    () => ({ run_id: NO_RUN, key: 't', value: '1' }),
  ),
  unknown(
    'runs/delete-tag unknown run',
    'POST',
    () => `${A}/runs/delete-tag`,
    () => ({ run_id: NO_RUN, key: 't' }),
  ),
  unknown(
    'runs/delete-tag unknown key',
    'POST',
    () => `${A}/runs/delete-tag`,
    (fx) => ({ run_id: fx.run, key: fresh('nokey') }),
  ),
  unknown(
    'runs/log-batch unknown run',
    'POST',
    () => `${A}/runs/log-batch`,
    () => ({ run_id: NO_RUN, metrics: [metric({})] }),
  ),
  unknown(
    'runs/log-model unknown run',
    'POST',
    () => `${A}/runs/log-model`,
    () => ({ run_id: NO_RUN, model_json: '{}' }),
  ),
  unknown(
    'runs/log-inputs unknown run',
    'POST',
    () => `${A}/runs/log-inputs`,
    () => ({ run_id: NO_RUN, datasets: [] }),
  ),
  unknown(
    'runs/outputs unknown run',
    'POST',
    () => `${A}/runs/outputs`,
    () => ({ run_id: NO_RUN, models: [] }),
  ),
  unknown(
    'metrics/get-history unknown run',
    'GET',
    () => `${A}/metrics/get-history?run_id=${NO_RUN}&metric_key=m`,
  ),
  unknown(
    'get-history-bulk-interval unknown run',
    'GET',
    () => `${A}/metrics/get-history-bulk-interval?run_ids=${NO_RUN}&metric_key=m`,
  ),
  unknown(
    'logged-models create in unknown experiment',
    'POST',
    () => `${A}/logged-models`,
    () => ({ experiment_id: NO_EXP, name: 'm' }),
  ),
  unknown('logged-models get unknown', 'GET', () => `${A}/logged-models/${NO_MODEL}`),
  unknown(
    'logged-models finalize unknown',
    'PATCH',
    () => `${A}/logged-models/${NO_MODEL}`,
    () => ({ status: 'LOGGED_MODEL_READY' }),
  ),
  unknown('logged-models delete unknown', 'DELETE', () => `${A}/logged-models/${NO_MODEL}`),
  unknown(
    'logged-models set tags unknown',
    'PATCH',
    () => `${A}/logged-models/${NO_MODEL}/tags`,
    () => ({ tags: [{ key: 'k', value: 'v' }] }),
  ),
  unknown('logged-models delete tag unknown', 'DELETE', () => `${A}/logged-models/${NO_MODEL}/tags/k`),
  unknown(
    'logged-models log params unknown',
    'POST',
    () => `${A}/logged-models/${NO_MODEL}/params`,
    () => ({ params: [{ key: 'k', value: 'v' }] }),
  ),
  unknown(
    'artifact download of a missing file',
    'GET',
    (fx) => `${R}/artifacts/${fx.exp}/${fx.run}/artifacts/${fresh('none')}.txt`,
  ),
  unknown(
    'artifact delete of a missing file',
    'DELETE',
    (fx) => `${R}/artifacts/${fx.exp}/${fx.run}/artifacts/${fresh('none')}.txt`,
  ),
  unknown(
    'mpu part of an unknown upload',
    'PUT',
    () => `${R}/mpu/part/${NO_UPLOAD}/1`,
    () => ({ raw: 'bytes', contentType: 'application/octet-stream' }),
  ),
  unknown(
    'mpu complete of an unknown upload',
    'POST',
    (fx) => `${R}/mpu/complete/${fx.exp}/${fx.run}/artifacts`,
    () => ({ path: 'big.bin', upload_id: NO_UPLOAD, parts: [] }),
  ),
  unknown(
    'mpu abort of an unknown upload',
    'POST',
    (fx) => `${R}/mpu/abort/${fx.exp}/${fx.run}/artifacts`,
    () => ({ path: 'big.bin', upload_id: NO_UPLOAD }),
  ),
];

const search = (
  name: string,
  route: string,
  body: (fx: Fixture) => Payload,
  ...mentions: string[]
): Case => ({
  name,
  method: 'POST',
  url: () => `${A}/${route}`,
  body,
  status: 400,
  code: INVALID,
  mentions: () => mentions,
});

const getSearch = (name: string, url: (fx: Fixture) => string, ...mentions: string[]): Case => ({
  name,
  method: 'GET',
  url,
  status: 400,
  code: INVALID,
  mentions: () => mentions,
});

const SEARCHES: Case[] = [
  search(
    'runs/search filter with a dangling comparison',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], filter: 'metrics.acc >' }),
    'filter',
    'position',
  ),
  search(
    'runs/search filter with an unknown entity',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], filter: "bogus.x = 'a'" }),
    'filter',
    'position',
  ),
  search(
    'runs/search filter with OR',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], filter: "params.lr = '0.1' OR params.lr = '0.2'" }),
    'filter',
    'position',
    'OR',
  ),
  search(
    'runs/search filter with an unterminated string',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], filter: "tags.a = 'x" }),
    'filter',
    'position',
  ),
  search(
    'runs/search order_by with a bad direction',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], order_by: ['metrics.acc SIDEWAYS'] }),
    'order_by',
  ),
  search(
    'runs/search order_by with an unknown entity',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], order_by: ['bogus.x'] }),
    'order_by',
  ),
  search(
    'runs/search bad page_token',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], page_token: 'not-a-token' }),
    'page_token',
  ),
  search(
    'runs/search page_token of base64 garbage',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], page_token: Buffer.from('{"offset": -5}').toString('base64') }),
    'page_token',
  ),
  search(
    'runs/search max_results 0',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], max_results: 0 }),
    'max_results',
  ),
  search(
    'runs/search max_results over the limit',
    'runs/search',
    (fx) => ({ experiment_ids: [fx.exp], max_results: 50_001 }),
    'max_results',
  ),
  search(
    'experiments/search filter with a bad operator',
    'experiments/search',
    () => ({ filter: "name == 'x'" }),
    'filter',
    'position',
  ),
  search(
    'experiments/search filter with an unknown attribute',
    'experiments/search',
    () => ({ filter: "attribute.color = 'x'" }),
    'filter',
    'position',
  ),
  search(
    'experiments/search order_by unknown',
    'experiments/search',
    () => ({ order_by: ['nope'] }),
    'order_by',
  ),
  search(
    'experiments/search bad page_token',
    'experiments/search',
    () => ({ page_token: 'zzz' }),
    'page_token',
  ),
  search('experiments/search max_results 0', 'experiments/search', () => ({ max_results: 0 }), 'max_results'),
  search(
    'experiments/search max_results over the limit',
    'experiments/search',
    () => ({ max_results: 50_001 }),
    'max_results',
  ),
  search(
    'logged-models/search bad filter',
    'logged-models/search',
    (fx) => ({ experiment_ids: [fx.exp], filter: 'name ~ 1' }),
    'filter',
    'position',
  ),
  search(
    'logged-models/search bad page_token',
    'logged-models/search',
    (fx) => ({ experiment_ids: [fx.exp], page_token: 'zzz' }),
    'page_token',
  ),
  search(
    'logged-models/search max_results 0',
    'logged-models/search',
    (fx) => ({ experiment_ids: [fx.exp], max_results: 0 }),
    'max_results',
  ),
  search(
    'logged-models/search max_results negative',
    'logged-models/search',
    (fx) => ({ experiment_ids: [fx.exp], max_results: -3 }),
    'max_results',
  ),
  getSearch(
    'metrics/get-history bad page_token',
    (fx) => `${A}/metrics/get-history?run_id=${fx.run}&metric_key=m&page_token=zzz`,
    'page_token',
  ),
  getSearch(
    'metrics/get-history max_results 0',
    (fx) => `${A}/metrics/get-history?run_id=${fx.run}&metric_key=m&max_results=0`,
    'max_results',
  ),
  getSearch(
    'metrics/get-history max_results over the limit',
    (fx) => `${A}/metrics/get-history?run_id=${fx.run}&metric_key=m&max_results=25001`,
    'max_results',
  ),
  getSearch(
    'metrics/get-history max_results not a number',
    (fx) => `${A}/metrics/get-history?run_id=${fx.run}&metric_key=m&max_results=ten`,
    'max_results',
  ),
  getSearch(
    'get-history-bulk-interval max_results over the limit',
    (fx) => `${A}/metrics/get-history-bulk-interval?run_ids=${fx.run}&metric_key=m&max_results=2501`,
    'max_results',
  ),
  getSearch(
    'get-history-bulk-interval start_step not a number',
    (fx) => `${A}/metrics/get-history-bulk-interval?run_ids=${fx.run}&metric_key=m&start_step=x`,
    'start_step',
  ),
  getSearch(
    'runs/search GET bad filter',
    (fx) => `${A}/runs/search?experiment_ids=${fx.exp}&filter=${encodeURIComponent('metrics.a <')}`,
    'filter',
  ),
];

/** MLflow's own messages name the key by kind and value: "Invalid param name: '../x'. Names may …". */
const badKey = (
  route: string,
  kind: 'metric' | 'param' | 'tag',
  key: string,
  body: (fx: Fixture, key: string) => Payload,
): Case => ({
  name: `${route} with key ${JSON.stringify(key.length > 20 ? `${key.slice(0, 20)}…` : key)}`,
  method: 'POST',
  url: () => `${A}/${route}`,
  body: (fx) => body(fx, key),
  status: 400,
  code: INVALID,
  mentions: () => [`${kind} name`, key.slice(0, 40)],
});

const BAD_KEYS = ['bad!key', '../x', 'a/../b', '/abs', 'a//b', 'semi;colon', 'x'.repeat(251)];
const KEY_CASES: Case[] = BAD_KEYS.flatMap((key) => [
  badKey('runs/log-metric', 'metric', key, (fx, k) => ({ run_id: fx.run, ...metric({ key: k }) })),
  badKey('runs/log-parameter', 'param', key, (fx, k) => ({ run_id: fx.run, key: k, value: '1' })),
  badKey('runs/set-tag', 'tag', key, (fx, k) => ({ run_id: fx.run, key: k, value: '1' })),
  badKey('runs/log-batch', 'param', key, (fx, k) => ({
    run_id: fx.run,
    metrics: [metric({ key: 'ok' })],
    params: [{ key: k, value: '1' }],
  })),
]);

const onDeleted = (route: string, body: (fx: Fixture) => Payload): Case => ({
  name: `${route} on a deleted run`,
  method: 'POST',
  url: () => `${A}/${route}`,
  body,
  status: 400,
  code: INVALID,
  mentions: (fx) => [fx.deletedRun, 'active'],
});

const DELETED: Case[] = [
  onDeleted('runs/log-metric', (fx) => ({ run_id: fx.deletedRun, ...metric({}) })),
  onDeleted('runs/log-parameter', (fx) => ({ run_id: fx.deletedRun, key: 'p', value: '1' })),
  onDeleted('runs/set-tag', (fx) => ({ run_id: fx.deletedRun, key: 't', value: '1' })),
  onDeleted('runs/delete-tag', (fx) => ({ run_id: fx.deletedRun, key: 'mlflow.runName' })),
  onDeleted('runs/log-batch', (fx) => ({
    run_id: fx.deletedRun,
    metrics: [metric({})],
    params: [{ key: 'p', value: '1' }],
  })),
  onDeleted('runs/update', (fx) => ({ run_id: fx.deletedRun, status: 'FINISHED' })),
  onDeleted('runs/log-inputs', (fx) => ({
    run_id: fx.deletedRun,
    datasets: [{ dataset: { name: 'd', digest: 'x' } }],
  })),
  onDeleted('runs/outputs', (fx) => ({ run_id: fx.deletedRun, models: [{ model_id: fx.model, step: 0 }] })),
];

const LIFECYCLE: Case[] = [
  {
    name: 'runs/create in a deleted experiment',
    method: 'POST',
    url: () => `${A}/runs/create`,
    body: (fx) => ({ experiment_id: fx.deletedExp, start_time: now() }),
    status: 400,
    code: INVALID,
    mentions: (fx) => [fx.deletedExp, 'experiment'],
  },
];

const UNKNOWN_ROUTES: Case[] = [
  {
    name: 'unknown tracking route',
    method: 'POST',
    url: () => `${A}/runs/teleport`,
    body: () => ({}),
    status: 404,
    code: 'ENDPOINT_NOT_FOUND',
    mentions: () => ['runs/teleport'],
  },
  {
    name: 'known route, wrong method',
    method: 'DELETE',
    url: () => `${A}/runs/get`,
    status: 404,
    code: 'ENDPOINT_NOT_FOUND',
    mentions: () => ['DELETE'],
  },
  {
    name: 'unknown artifact route',
    method: 'GET',
    url: () => `${R}/nothing-here`,
    status: 404,
    code: 'ENDPOINT_NOT_FOUND',
  },
];

/** Artifact paths that climb out of the run, or are not relative '/'-paths. */
const CLIMBING = [
  '../x',
  'a/../../b',
  '%2e%2e/x',
  '%2E%2E%2Fx',
  '..%2fx',
  'a/%2e%2e/%2e%2e/b',
  '%2Fetc%2Fpasswd',
  'a%5C..%5C..%5Cb',
  'a\\b',
  './x',
];

describe.each(DIALECTS)('MLflow API bad input (%s)', (dialect: Dialect) => {
  let t: MlflowTestServer;
  const fx = {} as Fixture;

  /** Sends the request and asserts the error, and that no table or blob changed. */
  async function rejected(c: Case): Promise<void> {
    const before = await t.snapshot();
    const res = await t.call(c.method, c.url(fx), c.body?.(fx));
    expectMlflowError(res, c.status, c.code, ...(c.mentions?.(fx) ?? []));
    expect(await t.snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    t = await startMlflowServer(dialect, BODY_LIMIT);
    const ok = async (method: InjectOptions['method'], url: string, body?: unknown) => {
      const res = await t.call(method, url, body);
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    fx.exp = (await ok('POST', `${A}/experiments/create`, { name: fresh('bad-input') })).experiment_id;
    const runIn = async (exp: string) =>
      (await ok('POST', `${A}/runs/create`, { experiment_id: exp, start_time: now() })).run.info
        .run_id as string;
    fx.run = await runIn(fx.exp);
    await ok('POST', `${A}/runs/log-parameter`, { run_id: fx.run, key: 'p', value: '1' });
    await ok('POST', `${A}/runs/set-tag`, { run_id: fx.run, key: 't', value: '1' });
    fx.deletedRun = await runIn(fx.exp);
    await ok('POST', `${A}/runs/delete`, { run_id: fx.deletedRun });
    fx.deletedExp = (await ok('POST', `${A}/experiments/create`, { name: fresh('deleted') })).experiment_id;
    await ok('POST', `${A}/experiments/delete`, { experiment_id: fx.deletedExp });
    fx.model = (
      await ok('POST', `${A}/logged-models`, { experiment_id: fx.exp, name: 'model', source_run_id: fx.run })
    ).model.info.model_id;
    fx.uploadId = (
      await ok('POST', `${R}/mpu/create/${fx.exp}/${fx.run}/artifacts`, { path: 'big.bin', num_parts: 2 })
    ).upload_id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('malformed bodies', () => {
    it.each(JSON_ROUTES.map((r, i) => [i, r] as const))('%i: malformed JSON', async (_i, route) => {
      await rejected({
        name: '',
        method: route.method,
        url: route.url,
        body: () => ({ raw: '{"run_id": "abc", ' }),
        status: 400,
        code: INVALID,
        mentions: () => ['Malformed JSON', 'body'],
      });
    });
    it.each(JSON_ROUTES.map((r, i) => [i, r] as const))(
      '%i: body that is a JSON array',
      async (_i, route) => {
        await rejected({
          name: '',
          method: route.method,
          url: route.url,
          body: () => ({ raw: '[{"run_id": "abc"}]' }),
          status: 400,
          code: INVALID,
          mentions: () => ['body', 'JSON object'],
        });
      },
    );
    it.each(JSON_ROUTES.map((r, i) => [i, r] as const))(
      '%i: body that is a JSON string',
      async (_i, route) => {
        await rejected({
          name: '',
          method: route.method,
          url: route.url,
          body: () => ({ raw: '"run_id"' }),
          status: 400,
          code: INVALID,
          mentions: () => ['body', 'JSON object'],
        });
      },
    );
  });

  it.each(MISSING_FIELDS.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(MISSING_QUERY.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(WRONG_TYPES.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(UNKNOWN_IDS.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(SEARCHES.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(KEY_CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(DELETED.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(UNKNOWN_ROUTES.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));
  it.each(LIFECYCLE.map((c) => [c.name, c] as const))('%s', async (_n, c) => rejected(c));

  it('runs/restore of a run whose experiment is deleted', async () => {
    const exp = (await t.call('POST', `${A}/experiments/create`, { name: fresh('gone') })).body.experiment_id;
    const run = (await t.call('POST', `${A}/runs/create`, { experiment_id: exp })).body.run.info.run_id;
    await t.call('POST', `${A}/runs/delete`, { run_id: run });
    await t.call('POST', `${A}/experiments/delete`, { experiment_id: exp });
    await rejected({
      name: '',
      method: 'POST',
      url: () => `${A}/runs/restore`,
      body: () => ({ run_id: run }),
      status: 400,
      code: INVALID,
      mentions: () => [run, 'experiment'],
    });
  });

  it('a duplicate experiment name is RESOURCE_ALREADY_EXISTS', async () => {
    const name = fresh('dup');
    expect((await t.call('POST', `${A}/experiments/create`, { name })).status).toBe(200);
    await rejected({
      name: '',
      method: 'POST',
      url: () => `${A}/experiments/create`,
      body: () => ({ name }),
      status: 400,
      code: 'RESOURCE_ALREADY_EXISTS',
      mentions: () => [name],
    });
    // Renaming another experiment onto the name is the same error.
    const other = (await t.call('POST', `${A}/experiments/create`, { name: fresh('dup') })).body
      .experiment_id;
    await rejected({
      name: '',
      method: 'POST',
      url: () => `${A}/experiments/update`,
      body: () => ({ experiment_id: other, new_name: name }),
      status: 400,
      code: 'RESOURCE_ALREADY_EXISTS',
      mentions: () => [name],
    });
  });

  describe('params are immutable', () => {
    it('re-logging a param with a different value is a 400 naming the key and both values', async () => {
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-parameter`,
        body: () => ({ run_id: fx.run, run_uuid: fx.run, key: 'p', value: '2' }),
        status: 400,
        code: INVALID,
        mentions: () => ["key='p'", "value='1'", "'2'", 'Changing param values is not allowed'],
      });
      // The same value again is fine (MLflow accepts it).
      expect(
        (await t.call('POST', `${A}/runs/log-parameter`, { run_id: fx.run, key: 'p', value: '1' })).status,
      ).toBe(200);
    });

    it('a log-batch whose 3rd param conflicts writes none of its metrics, params or tags', async () => {
      const run = (await t.call('POST', `${A}/runs/create`, { experiment_id: fx.exp })).body.run.info.run_id;
      expect(
        (await t.call('POST', `${A}/runs/log-parameter`, { run_id: run, key: 'c', value: 'old' })).status,
      ).toBe(200);
      const runBefore = (await t.call('GET', `${A}/runs/get?run_id=${run}`)).body;
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-batch`,
        body: () => ({
          run_id: run,
          metrics: Array.from({ length: 50 }, (_, i) => metric({ key: 'atomic', value: i, step: i })),
          params: [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
            { key: 'c', value: 'new' },
            { key: 'd', value: '4' },
          ],
          tags: [{ key: 'atomic-tag', value: 'x' }],
        }),
        status: 400,
        code: INVALID,
        mentions: () => ["key='c'", "value='old'"],
      });
      expect((await t.call('GET', `${A}/runs/get?run_id=${run}`)).body).toEqual(runBefore);
      const history = await t.call('GET', `${A}/metrics/get-history?run_id=${run}&metric_key=atomic`);
      expect(history.body).toEqual({});
    });

    it('a log-batch repeating a key with two values is a 400', async () => {
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-batch`,
        body: () => ({
          run_id: fx.run,
          params: [
            { key: 'dup', value: '1' },
            { key: 'dup', value: '2' },
          ],
        }),
        status: 400,
        code: INVALID,
        mentions: () => ['dup'],
      });
    });
  });

  describe('batch limits', () => {
    it('over 1000 metrics', async () => {
      const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-batch`,
        body: () => ({ run_id: fx.run, metrics }),
        status: 400,
        code: INVALID,
        mentions: () => ['1000', 'metrics'],
      });
    });
    it('over 100 params', async () => {
      const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' }));
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-batch`,
        body: () => ({ run_id: fx.run, params }),
        status: 400,
        code: INVALID,
        mentions: () => ['100', 'params'],
      });
    });
    it('over 100 tags', async () => {
      const tags = Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: '1' }));
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-batch`,
        body: () => ({ run_id: fx.run, tags }),
        status: 400,
        code: INVALID,
        mentions: () => ['100', 'tags'],
      });
    });
    it('a param value over 6000 characters', async () => {
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-parameter`,
        body: () => ({ run_id: fx.run, key: 'long', value: 'x'.repeat(6001) }),
        status: 400,
        code: INVALID,
        mentions: () => ['long', '6000'],
      });
    });
  });

  describe('oversized bodies', () => {
    const big = (fx2: Fixture) => ({
      run_id: fx2.run,
      tags: [{ key: 'big', value: 'x'.repeat(BODY_LIMIT + 1) }],
    });
    it.each(['runs/log-batch', 'runs/set-tag', 'experiments/create', 'runs/search'])(
      '%s over bodyLimitBytes → 413',
      async (route) => {
        await rejected({
          name: '',
          method: 'POST',
          url: () => `${A}/${route}`,
          body: big,
          status: 413,
          code: INVALID,
          mentions: () => ['too large'],
        });
      },
    );
    it('a log-batch of 1000 metrics that exceeds the limit → 413, none written', async () => {
      const metrics = Array.from({ length: 1000 }, (_, i) => ({
        key: `metric-with-a-long-name-${'x'.repeat(40)}`,
        value: i,
        timestamp: now(),
        step: i,
      }));
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${A}/runs/log-batch`,
        body: () => ({ run_id: fx.run, metrics }),
        status: 413,
        code: INVALID,
        mentions: () => ['too large'],
      });
    });
  });

  it('an mpu/create body over 1 MB → 413, no upload started', async () => {
    await rejected({
      name: '',
      method: 'POST',
      url: () => `${R}/mpu/create/${fx.exp}/${fx.run}/artifacts`,
      body: () => ({ path: 'big.bin', num_parts: 1, padding: 'x'.repeat(1_000_001) }),
      status: 413,
      code: INVALID,
      mentions: () => ['too large'],
    });
  });

  describe('artifact paths that climb out', () => {
    /** Sends `method path` over a socket, unnormalised, and asserts a 400 naming the path and no change. */
    async function climbs(method: string, path: string, body?: string): Promise<void> {
      const before = await t.snapshot();
      const res = await t.http(method, path, body);
      expectMlflowError(res, 400, INVALID, 'path');
      expect(await t.snapshot()).toEqual(before);
    }
    const runDir = () => `${R}/artifacts/${fx.exp}/${fx.run}/artifacts`;

    it.each(CLIMBING)('PUT …/artifacts/%s → 400, nothing stored anywhere', async (path) => {
      const marker = fresh('escape');
      await climbs('PUT', `${runDir()}/${path}`, marker);
      await climbs('PUT', `${R}/artifacts/${path}`, marker);
      // Nothing listed in the run, at the workspace root, or in the experiment.
      for (const dir of [`${fx.exp}/${fx.run}/artifacts`, `${fx.exp}/${fx.run}`, `${fx.exp}`, '']) {
        const listing = await t.call('GET', `${R}/artifacts?path=${dir}`);
        expect(listing.status).toBe(200);
        expect(JSON.stringify(listing.body)).not.toMatch(/"path":"(x|b|etc|passwd|a)"/);
      }
    });
    it.each(CLIMBING)('GET …/artifacts/%s → 400', async (path) => {
      await climbs('GET', `${runDir()}/${path}`);
    });
    it.each(CLIMBING)('DELETE …/artifacts/%s → 400', async (path) => {
      await climbs('DELETE', `${runDir()}/${path}`);
    });
    it.each(CLIMBING)('list ?path=…/%s → 400', async (path) => {
      await climbs('GET', `${R}/artifacts?path=${fx.exp}/${fx.run}/artifacts/${path}`);
    });
    it.each(['../x', '/etc', 'a\\b', '..'])('list ?path=%s → 400', async (path) => {
      await climbs('GET', `${R}/artifacts?path=${encodeURIComponent(path)}`);
    });
    it.each(CLIMBING)('mpu/create under %s → 400', async (path) => {
      await climbs(
        'POST',
        `${R}/mpu/create/${fx.exp}/${fx.run}/artifacts/${path}`,
        JSON.stringify({ path: 'big.bin', num_parts: 1 }),
      );
    });
    it.each(['../x', '/abs/x', 'a\\..\\b', '..'])(
      'mpu/create with body path %s → 400 or confined to the folder',
      async (path) => {
        const before = await t.snapshot();
        const res = await t.call('POST', `${R}/mpu/create/${fx.exp}/${fx.run}/artifacts`, {
          path,
          num_parts: 1,
        });
        if (res.status === 200) {
          // Only the file name is used (as MLflow does): the upload lands in the folder of the URL.
          const upload = await t.server.services.artifacts.getMultipart(res.body.upload_id);
          expect(upload.path.startsWith(`${fx.exp}/${fx.run}/artifacts/`)).toBe(true);
          expect(upload.path.slice(`${fx.exp}/${fx.run}/artifacts/`.length)).not.toContain('/');
          await t.call('POST', `${R}/mpu/abort/${fx.exp}/${fx.run}/artifacts`, {
            path,
            upload_id: res.body.upload_id,
          });
        } else {
          expectMlflowError(res, 400, INVALID, 'path');
          expect(await t.snapshot()).toEqual(before);
        }
      },
    );
  });

  describe('multipart upload misuse', () => {
    it('part number out of range', async () => {
      await rejected({
        name: '',
        method: 'PUT',
        url: () => `${R}/mpu/part/${fx.uploadId}/3`,
        body: () => ({ raw: 'bytes', contentType: 'application/octet-stream' }),
        status: 400,
        code: INVALID,
        mentions: () => ['part_number'],
      });
    });
    it('part number that is not a number', async () => {
      await rejected({
        name: '',
        method: 'PUT',
        url: () => `${R}/mpu/part/${fx.uploadId}/abc`,
        body: () => ({ raw: 'bytes', contentType: 'application/octet-stream' }),
        status: 400,
        code: INVALID,
        mentions: () => ['part_number'],
      });
    });
    it('complete with a part that was never uploaded', async () => {
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${R}/mpu/complete/${fx.exp}/${fx.run}/artifacts`,
        body: () => ({ path: 'big.bin', upload_id: fx.uploadId, parts: [{ part_number: 1, etag: 'nope' }] }),
        status: 400,
        code: INVALID,
        mentions: () => ['Part 1', 'never uploaded'],
      });
    });
    it('complete with parts that are not objects', async () => {
      await rejected({
        name: '',
        method: 'POST',
        url: () => `${R}/mpu/complete/${fx.exp}/${fx.run}/artifacts`,
        body: () => ({ path: 'big.bin', upload_id: fx.uploadId, parts: [1] }),
        status: 400,
        code: INVALID,
        mentions: () => ['parts[0]'],
      });
    });
  });
});
