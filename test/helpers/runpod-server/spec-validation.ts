// Every request and response of the local RunPod server is checked against RunPod's published
// v2 spec (src-main/runpod/openapi/runpod_v2_openapi.json, OpenAPI 3.1) with openapi-backend.
//
// openapi-backend 5 was written for OpenAPI 3.0, so three things are adapted here:
//  - its definition check uses a 3.0 meta-schema (and openapi-schema-validator's 3.1 schema
//    rejects JSON Schema `examples`), so the published document is taken as valid;
//  - its Ajv is draft-07, which silently ignores `unevaluatedProperties` (CreatePodRequest
//    forbids unknown fields that way) — it is swapped for the Ajv 2020-12 class it ships;
//  - its `decycle` turns every object seen twice into an internal `$ref`, which breaks on
//    arrays shared by the ref-parser (`enum`), so the spec is inlined here first into a tree
//    with no shared objects (it has no reference cycles).
// openapi-backend only validates `application/json` response bodies, so error bodies
// (`application/problem+json`) and SSE payloads are compiled here with the same Ajv.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { OpenAPIBackend, type Operation, type Request as OpenApiRequest } from 'openapi-backend';

const SPEC_IN_REPO = path.join('src-main', 'runpod', 'openapi', 'runpod_v2_openapi.json');

/**
 * The spec in this checkout, found upwards from here or from the working directory: this file
 * runs from test/helpers/ (vitest; Playwright loads it as CommonJS, hence __dirname and not
 * import.meta) or bundled under out/ (the benches bundle their harness with esbuild).
 */
function findSpec(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, SPEC_IN_REPO);
      if (fs.existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`${SPEC_IN_REPO} not found above ${__dirname} or ${process.cwd()}`);
}

export const SPEC_PATH = findSpec();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

interface AjvError {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}
interface AjvValidate {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}
interface AjvLike {
  compile(schema: unknown): AjvValidate;
  addFormat(name: string, format: unknown): unknown;
  formats: Record<string, unknown>;
}
type AjvCtor = new (opts: Record<string, unknown>) => AjvLike;

const requireHere = createRequire(path.join(__dirname, 'spec-validation.ts'));
// The Ajv 2020-12 class of the Ajv that openapi-backend itself depends on.
const Ajv2020 = (createRequire(requireHere.resolve('openapi-backend'))('ajv/dist/2020') as { default: AjvCtor }).default;
const addFormatsModule = requireHere('ajv-formats') as ((ajv: AjvLike) => void) | { default: (ajv: AjvLike) => void };
const addFormats = typeof addFormatsModule === 'function' ? addFormatsModule : addFormatsModule.default;

function newAjv(opts: Record<string, unknown>, formatsFrom?: AjvLike): AjvLike {
  const ajv = new Ajv2020({ ...opts, strict: false, allErrors: true });
  if (formatsFrom) for (const [name, format] of Object.entries(formatsFrom.formats)) ajv.addFormat(name, format);
  addFormats(ajv);
  return ajv;
}

/** A copy of `node` with every `$ref` replaced by a fresh copy of its target (siblings of `$ref` win). */
function inline(node: Json, root: Json): Json {
  if (Array.isArray(node)) return node.map((x) => inline(x, root));
  if (node && typeof node === 'object') {
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<Json>((o, key) => (o && typeof o === 'object' && !Array.isArray(o) ? (o[key.replace(/~1/g, '/').replace(/~0/g, '~')] ?? null) : null), root);
      if (target === null) throw new Error(`spec: unresolved ${ref}`);
      const { $ref: _ref, ...siblings } = node;
      return { ...(inline(target, root) as JsonObject), ...(inline(siblings, root) as JsonObject) };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v, root)]));
  }
  return node;
}

/** Only the operations the local server serves (fewer validators to compile). */
const SERVED_PATHS = [
  '/v2/pods',
  '/v2/pods/{id}',
  '/v2/pods/{id}/action',
  '/v2/pods/{id}/logs',
  '/v2/account/ssh-keys',
  '/v2/catalog/gpus',
  '/v2/catalog/gpus/{id}',
  '/v2/network-volumes',
  '/v2/network-volumes/{id}',
  '/v2/billing/pods',
];

export interface RequestCheck {
  operation: Operation | undefined;
  /** Where the request broke the spec: `body` (→ 422) or `params` (path, query, header → 400). */
  errors: { where: 'body' | 'params'; message: string }[];
  query: Record<string, unknown>;
}

export interface SpecValidator {
  readonly spec: JsonObject;
  /** Route and validate a request (auth is checked by the server, not here). */
  checkRequest(req: { method: string; path: string; query: string; headers: Record<string, string>; body: unknown }): RequestCheck;
  /** Problems of a response against the operation's declared responses; [] when it conforms. */
  checkResponse(operation: Operation, status: number, headers: Record<string, string>, contentType: string | null, body: unknown): string[];
  /** Problems of one SSE `data:` payload of getPodLogs. */
  checkLogEvent(payload: unknown): string[];
  /** A served operation by operationId (tests prove checkResponse fires). */
  operation(operationId: string): Operation;
}

function describe(errors: AjvError[] | null | undefined, prefix: string): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : e.params && 'unevaluatedProperty' in e.params ? ` (${String(e.params.unevaluatedProperty)})` : '';
    return `${prefix}${e.instancePath || ''} ${e.message ?? 'is invalid'}${extra}`.trim();
  });
}

class RunpodSpecBackend extends OpenAPIBackend {
  // See the top of this file: the published 3.1 document is not re-validated with a 3.0 schema.
  override validateDefinition() {
    return this.document;
  }
}

let cached: Promise<SpecValidator> | undefined;

/** The validator, built once per process (compiling the spec's schemas takes a while). */
export function loadSpecValidator(): Promise<SpecValidator> {
  cached ??= build();
  return cached;
}

async function build(): Promise<SpecValidator> {
  const raw = JSON.parse(fs.readFileSync(SPEC_PATH, 'utf8')) as JsonObject;
  const full = inline(raw, raw) as JsonObject;
  const allPaths = full.paths as JsonObject;
  const spec: JsonObject = { ...full, paths: Object.fromEntries(SERVED_PATHS.map((p) => [p, allPaths[p] as Json])) };
  let baseAjv: AjvLike | undefined;
  const api = new RunpodSpecBackend({
    definition: spec as never,
    validate: true,
    quick: true, // compile validators on first use; the document was inlined above
    customizeAjv: (original, opts) => {
      baseAjv ??= original as unknown as AjvLike;
      return newAjv(opts as Record<string, unknown>, original as unknown as AjvLike) as never;
    },
  });
  await api.init();
  const ajv = newAjv({}, baseAjv);
  const compiled = new Map<unknown, AjvValidate>();
  const compile = (schema: unknown): AjvValidate => {
    let v = compiled.get(schema);
    if (!v) {
      v = ajv.compile(schema);
      compiled.set(schema, v);
    }
    return v;
  };
  const logSchema = {
    type: 'object',
    required: ['source', 'line', 'ts'],
    additionalProperties: false,
    properties: {
      source: (full.components as JsonObject & { schemas: JsonObject }).schemas.LogSource,
      line: { type: 'string' },
      ts: { type: 'string', format: 'date-time' },
    },
  };

  return {
    spec,
    checkRequest(req) {
      const request: OpenApiRequest = { method: req.method.toLowerCase(), path: req.path, query: req.query, headers: req.headers, body: req.body };
      const operation = api.matchOperation(request);
      if (!operation) return { operation: undefined, errors: [], query: {} };
      const parsed = api.router.parseRequest(request, operation);
      const result = api.validateRequest({ ...request, query: parsed.query }, operation);
      const errors = (result.errors ?? []).map((e) => {
        const where: 'body' | 'params' = e.instancePath.startsWith('/requestBody') || e.schemaPath.includes('requestBody') ? 'body' : 'params';
        const at = e.instancePath.replace(/^\/requestBody/, 'body').replace(/^\//, '');
        const extra = 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : 'unevaluatedProperty' in e.params ? ` (${String(e.params.unevaluatedProperty)})` : '';
        return { where, message: `${at || 'body'} ${e.message ?? 'is invalid'}${extra}` };
      });
      return { operation, errors, query: parsed.query as Record<string, unknown> };
    },
    checkResponse(operation, status, headers, contentType, body) {
      const responses = (operation.responses ?? {}) as Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, { schema?: unknown }> }>;
      const declared = responses[String(status)] ?? responses.default;
      const where = `${operation.operationId} ${status}`;
      if (!declared) return [`${where}: status not declared`];
      const problems: string[] = [];
      const content = declared.content;
      if (!content) {
        if (body !== undefined && body !== null && body !== '') problems.push(`${where}: declared without a body but one was sent`);
      } else {
        const media = (contentType ?? '').split(';')[0]?.trim() ?? '';
        const entry = content[media];
        if (!entry) problems.push(`${where}: content type ${JSON.stringify(media)} not declared (${Object.keys(content).join(', ')})`);
        else if (entry.schema && media !== 'text/event-stream') {
          if (media === 'application/json') {
            const r = api.validateResponse(body, operation, status);
            problems.push(...describe(r.errors as AjvError[] | null | undefined, `${where}: body`));
          } else {
            const v = compile(entry.schema);
            if (!v(body)) problems.push(...describe(v.errors, `${where}: body`));
          }
        }
      }
      for (const [name, h] of Object.entries(declared.headers ?? {})) {
        const value = headers[name.toLowerCase()];
        if (value === undefined || !h.schema) continue;
        const schema = h.schema as { type?: string };
        const typed = schema.type === 'integer' || schema.type === 'number' ? (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value) : value;
        const v = compile(h.schema);
        if (!v(typed)) problems.push(...describe(v.errors, `${where}: header ${name}`));
      }
      return problems;
    },
    operation(operationId) {
      const op = api.router.getOperation(operationId);
      if (!op) throw new Error(`spec: no served operation ${operationId}`);
      return op;
    },
    checkLogEvent(payload) {
      const v = compile(logSchema);
      return v(payload) ? [] : describe(v.errors, 'getPodLogs event');
    },
  };
}
