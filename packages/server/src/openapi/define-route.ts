import { CairnError } from '@cairn/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { HttpMethod, OpenApiRegistry, RawContent } from './openapi-registry.js';
import { parseInput } from './validate.js';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type ResponseValue<R> = R extends z.ZodType ? z.input<R> : R extends null ? undefined : FastifyReply;

export interface RouteInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: B extends z.ZodType ? z.output<B> : B extends RawContent ? unknown : undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDefinition<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | RawContent | undefined,
  R extends z.ZodType | RawContent | null,
> {
  method: HttpMethod;
  /** Full path, Fastify style (`/api/v1/workspaces/:workspace/runs/:runId`). */
  url: string;
  summary: string;
  description?: string;
  /** Group in the document (`experiments`, `runs`, …). */
  tag: string;
  params?: P;
  query?: Q;
  /** A zod schema for JSON bodies; a RawContent for streamed bodies the handler reads itself. */
  body?: B;
  /** A zod schema for JSON responses, a RawContent for streamed ones (the handler sends), null for 204. */
  response: R;
  /** Success status (default 200; 204 when `response` is null). */
  status?: number;
  extraResponses?: Record<number, string>;
  public?: boolean;
  handler(input: RouteInput<P, Q, B>): Promise<ResponseValue<R>>;
}

/**
 * Registers a Fastify route and records its OpenAPI operation from the same schemas, so the document
 * cannot drift from what the route accepts. Params, query and JSON body are parsed with their zod
 * schemas before the handler runs (INVALID_ARGUMENT naming the field on failure); error `details.field`
 * names coming from the domain in MLflow's snake_case are turned into this API's camelCase.
 */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | RawContent | undefined = undefined,
  R extends z.ZodType | RawContent | null = null,
>(app: FastifyInstance, registry: OpenApiRegistry, def: RouteDefinition<P, Q, B, R>): void {
  const status = def.status ?? (def.response === null ? 204 : 200);
  registry.add({
    method: def.method,
    url: def.url,
    summary: def.summary,
    description: def.description,
    tag: def.tag,
    params: def.params,
    query: def.query,
    body: def.body,
    response: def.response,
    status,
    extraResponses: def.extraResponses,
    public: def.public,
  });
  const jsonBody = def.body !== undefined && isSchema(def.body) ? def.body : undefined;
  app.route({
    method: def.method,
    url: def.url,
    handler: async (request, reply) => {
      try {
        const input = {
          params: def.params ? parseInput(def.params, request.params, 'params') : undefined,
          query: def.query ? parseInput(def.query, request.query ?? {}, 'query') : undefined,
          body: jsonBody
            ? parseInput(jsonBody, spellNonFinite(request.body ?? {}), 'body')
            : def.body !== undefined
              ? request.body
              : undefined,
          request,
          reply,
        } as RouteInput<P, Q, B>;
        const result = await def.handler(input);
        if (def.response === null) return reply.status(status).send();
        if (!isSchema(def.response)) return reply;
        return reply.status(status).send(result);
      } catch (err) {
        throw err instanceof CairnError ? camelCaseField(err) : err;
      }
    },
  });
}

/**
 * Bare NaN/Infinity tokens (which Python clients write) arrive as non-finite numbers; the wire spells
 * them as strings, so schemas need only one form.
 */
function spellNonFinite(value: unknown): unknown {
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? value
      : Number.isNaN(value)
        ? 'NaN'
        : value > 0
          ? 'Infinity'
          : '-Infinity';
  if (Array.isArray(value)) return value.map(spellNonFinite);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, spellNonFinite(v)]));
  }
  return value;
}

function isSchema(v: unknown): v is z.ZodType {
  return typeof v === 'object' && v !== null && 'safeParse' in v;
}

const snakeToCamel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The domain names fields as MLflow does (`max_results`); this API's callers sent `maxResults`. */
function camelCaseField(err: CairnError): CairnError {
  const field = err.details.field;
  if (typeof field !== 'string' || !field.includes('_')) return err;
  const camel = snakeToCamel(field);
  const message = err.message.split(`'${field}'`).join(`'${camel}'`);
  const out = new CairnError(err.code, message, { ...err.details, field: camel }, { cause: err.cause });
  out.stack = err.stack;
  return out;
}
