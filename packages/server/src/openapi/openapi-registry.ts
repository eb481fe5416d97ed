import { ERROR_STATUS, ErrorCode } from '@cairn/core';
import { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request or response body that is not JSON (artifact bytes). */
export interface RawContent {
  mediaType: string;
  description: string;
}

/** What the document says about one operation; `defineRoute` fills it from the route's own schemas. */
export interface OperationDescription {
  method: HttpMethod;
  /** Fastify-style path (`/api/v1/workspaces/:workspace/runs/:runId`). */
  url: string;
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType | RawContent;
  /** Null: no body (204). */
  response: z.ZodType | RawContent | null;
  status: number;
  /** Extra success statuses (206 for ranged downloads). */
  extraResponses?: Record<number, string>;
  public?: boolean;
}

type JsonSchema = Record<string, unknown>;

const isZod = (v: unknown): v is z.ZodType => v instanceof z.ZodType;

/**
 * Collects the operations of the native API as routes are defined, and builds the OpenAPI 3.1
 * document from them. Schemas marked with `.meta({ id })` become shared components.
 */
export class OpenApiRegistry {
  readonly #operations: OperationDescription[] = [];
  readonly #seen = new Set<string>();
  readonly #routes = new Set<string>();

  add(op: OperationDescription): void {
    const key = `${op.method} ${op.url}`;
    if (this.#seen.has(key)) throw new Error(`OpenAPI operation ${key} is described twice`);
    this.#seen.add(key);
    this.#operations.push(op);
  }

  /** Records a route the server serves, described or not. */
  noteRoute(method: string, url: string): void {
    this.#routes.add(`${method} ${url}`);
  }

  /** Routes the server serves that no operation describes (`GET /api/v1/x`). */
  undescribed(): string[] {
    return [...this.#routes].filter((r) => !this.#seen.has(r)).sort();
  }

  get operations(): readonly OperationDescription[] {
    return this.#operations;
  }

  document(info: { title: string; version: string }): JsonSchema {
    const components: Record<string, JsonSchema> = {};
    const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema =>
      hoistDefs(
        z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema,
        components,
      );

    const paths: Record<string, Record<string, unknown>> = {};
    for (const op of this.#operations) {
      const path = op.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      paths[path] ??= {};
      paths[path][op.method.toLowerCase()] = operationObject(op, convert);
    }
    for (const route of this.undescribed()) {
      const [method, url] = route.split(' ') as [string, string];
      const path = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      paths[path] ??= {};
      paths[path][method.toLowerCase()] = {
        summary: 'Not yet described',
        'x-undescribed': true,
        responses: { default: { $ref: '#/components/responses/Error' } },
      };
    }
    components.Error = ERROR_SCHEMA;
    components.ErrorCode = ERROR_CODE_SCHEMA;
    return {
      openapi: '3.1.0',
      info: {
        ...info,
        description:
          'Cairn native API. Errors are `{"error": {"code", "message", "details"}}` with `code` from a closed set; `x-error-statuses` maps each code to its HTTP status. Non-finite metric values travel as the strings "NaN", "Infinity" and "-Infinity".',
      },
      servers: [{ url: '/' }],
      security: [{ bearer: [] }, { basic: [] }, {}],
      'x-error-statuses': { ...ERROR_STATUS },
      components: {
        schemas: components,
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (POST /api/v1/tokens)' },
          basic: { type: 'http', scheme: 'basic', description: 'User name and password' },
        },
        responses: {
          Error: {
            description: `An error: ${Object.entries(ERROR_STATUS)
              .map(([code, status]) => `${code} (${status})`)
              .join(', ')}`,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
      paths,
    };
  }
}

function operationObject(
  op: OperationDescription,
  convert: (schema: z.ZodType, io: 'input' | 'output') => JsonSchema,
): Record<string, unknown> {
  const parameters: unknown[] = [];
  for (const [where, schema] of [
    ['path', op.params],
    ['query', op.query],
  ] as const) {
    if (!schema) continue;
    const json = convert(schema, 'input');
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s;
      parameters.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  const content = (body: z.ZodType | RawContent, io: 'input' | 'output') =>
    isZod(body)
      ? { 'application/json': { schema: convert(body, io) } }
      : { [body.mediaType]: { schema: { type: 'string', contentMediaType: body.mediaType } } };

  const responses: Record<string, unknown> = {};
  if (op.response === null) responses[op.status] = { description: 'Done; no body' };
  else
    responses[op.status] = {
      description: isZod(op.response) ? 'Success' : op.response.description,
      content: content(op.response, 'output'),
    };
  for (const [status, description] of Object.entries(op.extraResponses ?? {})) {
    responses[status] = { description };
  }
  responses.default = { $ref: '#/components/responses/Error' };

  return {
    operationId: operationId(op),
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(op.public ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            ...(!isZod(op.body) ? { description: op.body.description } : {}),
            content: content(op.body, 'input'),
          },
        }
      : {}),
    responses,
  };
}

/** `GET /api/v1/workspaces/:workspace/runs/:runId` → `getWorkspacesRunsByRunId`-like stable id. */
function operationId(op: OperationDescription): string {
  const segments = op.url.replace(/^\/api\/v1\//, '').split('/');
  // Inside a workspace the prefix says nothing; `/workspaces/:workspace` itself keeps it.
  const inside = segments[0] === 'workspaces' && segments.length > 2;
  const words = (inside ? segments.slice(2) : segments)
    .filter((s) => s !== '')
    .map((s) => (s.startsWith(':') ? `By-${s.slice(1)}` : s))
    .join('-');
  const camel = `${op.method.toLowerCase()}-${words}`.replace(/[-_.]+(.)/g, (_, c: string) =>
    c.toUpperCase(),
  );
  return camel;
}

/** Moves a converted schema's `$defs` into the document's components and points its refs there. */
function hoistDefs(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  const { $schema: _ignored, $defs, ...rest } = schema;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] =
        k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewrite(v);
    }
    return out;
  };
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    components[name] ??= rewrite(def) as JsonSchema;
  }
  return rewrite(rest) as JsonSchema;
}

const ERROR_CODE_SCHEMA: JsonSchema = {
  type: 'string',
  enum: Object.values(ErrorCode),
  description: `The closed set of error codes, with the HTTP status of each: ${Object.entries(ERROR_STATUS)
    .map(([code, status]) => `${code}=${status}`)
    .join(', ')}`,
  'x-status': { ...ERROR_STATUS },
};

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { $ref: '#/components/schemas/ErrorCode' },
        message: { type: 'string', description: 'What was wrong and what to do about it' },
        details: {
          type: 'object',
          description:
            '`field`: the request field at fault (`metrics[3].value`); `position`: 0-based offset in a search filter',
          properties: { field: { type: 'string' }, position: { type: 'integer' } },
          additionalProperties: true,
        },
      },
    },
  },
};
