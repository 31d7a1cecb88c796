/**
 * Request validation against GitHub's published REST description (@octokit/openapi, the
 * api.github.com document with its `$ref`s kept), and GraphQL queries against GitHub's published
 * GraphQL schema (@octokit/graphql-schema), loaded only when a test sends one. The method and path must name an operation,
 * every query parameter must be one of its parameters (with an allowed value where the schema
 * lists them), and a JSON body must match its schema. Body schemas compile on first use.
 *
 * The published document is 13 MB, almost all of it response schemas no check here reads. It is
 * parsed once per test run (the global setup calls `requestDocument()`), reduced to the operations'
 * query parameters, request bodies and the component schemas those reach, and kept beside
 * node_modules keyed by the package's version; every test file then reads the reduced copy.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { DocumentNode, IntrospectionQuery } from "graphql";
import type * as GraphqlModule from "graphql";

export interface ApiRequest {
  method: string;
  /** Path without the query string and without a `/api/v3` prefix, as sent (percent-encoded). */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

interface Parameter {
  name: string;
  in: string;
  schema?: { enum?: unknown[]; type?: string };
}

interface Operation {
  method: string;
  regex: RegExp;
  literals: number;
  operationId: string;
  query: Map<string, Parameter>;
  body?: { schema: object; required: boolean };
}

export interface RequestValidator {
  /** The problems with the request; empty when GitHub's description allows it. */
  validate(request: ApiRequest): string[];
  /** The operation id a request names, if any. */
  operationOf(request: Pick<ApiRequest, "method" | "path">): string | undefined;
}

let cached: RequestValidator | undefined;

export function requestValidator(): RequestValidator {
  if (cached) return cached;
  const document = requestDocument();
  const operations: Operation[] = document.operations.map((op) => {
    const segments = op.template.split("/");
    return {
      method: op.method,
      regex: new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? "[^/]+" : escape(s))).join("/")}$`),
      literals: segments.filter((s) => !/^\{.+\}$/.test(s)).length,
      operationId: op.operationId,
      query: new Map(op.query.map((p) => [p.name, p])),
      ...(op.body ? { body: op.body } : {}),
    };
  });
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv);
  ajv.addSchema({ $id: "gh", components: { schemas: document.schemas } });
  const compiled = new Map<Operation, ValidateFunction>();
  const validatorOf = (op: Operation): ValidateFunction => {
    let fn = compiled.get(op);
    if (!fn) {
      fn = ajv.compile(op.body!.schema);
      compiled.set(op, fn);
    }
    return fn;
  };
  // A thousand operations' patterns per request, and the tests send the same few paths again and again.
  const candidates = new Map<string, Operation[]>();
  const candidatesOf = (request: Pick<ApiRequest, "method" | "path">): Operation[] => {
    const key = `${request.method} ${request.path}`;
    let found = candidates.get(key);
    if (!found) {
      found = operations.filter((op) => op.method === request.method && op.regex.test(request.path)).sort((a, b) => b.literals - a.literals);
      candidates.set(key, found);
    }
    return found;
  };

  cached = {
    operationOf: (request) => (isGraphql(request) ? "graphql" : candidatesOf(request)[0]?.operationId),
    validate(request) {
      if (isGraphql(request)) return validateGraphql(request);
      const named = candidatesOf(request);
      if (named.length === 0) return [`${request.method} ${request.path}: no such operation in GitHub's OpenAPI description`];
      const problems: string[] = [];
      for (const op of named) {
        const mine: string[] = [];
        for (const [name, value] of Object.entries(request.query)) {
          const p = op.query.get(name);
          if (!p) mine.push(`${op.operationId}: unknown query parameter "${name}"`);
          else if (p.schema?.enum && !p.schema.enum.map(String).includes(value)) mine.push(`${op.operationId}: ${name}=${value} is not one of ${p.schema.enum.join(", ")}`);
          else if (p.schema?.type === "integer" && !/^-?\d+$/.test(value)) mine.push(`${op.operationId}: ${name}=${value} is not an integer`);
        }
        const hasBody = request.body !== undefined && request.body !== "" && !(isObject(request.body) && Object.keys(request.body).length === 0);
        if (op.body) {
          if (hasBody || op.body.required) {
            const fn = validatorOf(op);
            if (!fn(request.body ?? {})) mine.push(`${op.operationId}: body does not match the schema: ${ajv.errorsText(fn.errors, { separator: "; " })}`);
          }
        } else if (hasBody) {
          mine.push(`${op.operationId}: takes no body, got ${JSON.stringify(request.body).slice(0, 200)}`);
        }
        if (mine.length === 0) return [];
        problems.push(...mine);
      }
      return problems.map((p) => `${request.method} ${request.path}: ${p}`);
    },
  };
  return cached;
}

/** GitHub's GraphQL endpoint: `/graphql` on github.com, `/api/graphql` on an Enterprise host. */
function isGraphql(request: Pick<ApiRequest, "method" | "path">): boolean {
  return request.method === "POST" && (request.path === "/graphql" || request.path === "/api/graphql");
}

type GraphqlValidate = (query: string) => readonly { message: string }[];
let graphqlValidate: GraphqlValidate | undefined;

/** The query must be valid against GitHub's schema, and every variable it requires given. */
function validateGraphql(request: ApiRequest): string[] {
  const where = `${request.method} ${request.path}`;
  const body = request.body;
  if (!isObject(body) || typeof body.query !== "string") return [`${where}: the body has no query`];
  graphqlValidate ??= loadGraphqlValidate();
  let problems: string[];
  try {
    problems = graphqlValidate(body.query).map((e) => `${where}: ${e.message}`);
  } catch (error) {
    return [`${where}: the query does not parse: ${error instanceof Error ? error.message : String(error)}`];
  }
  const variables = isObject(body.variables) ? body.variables : {};
  for (const [, name, required] of body.query.matchAll(/\$(\w+)\s*:\s*[\w[\]]+(!?)/g)) {
    if (required === "!" && (variables[name!] === undefined || variables[name!] === null)) problems.push(`${where}: required variable $${name} is not given`);
  }
  return problems;
}

function loadGraphqlValidate(): GraphqlValidate {
  const require = createRequire(import.meta.url);
  const { buildClientSchema, validate } = require("graphql") as typeof GraphqlModule;
  const gql = require("graphql-tag") as (query: string) => DocumentNode;
  // The package exports only its ESM entry (which reads the same file).
  const schemaPath = join(dirname(fileURLToPath(import.meta.resolve("@octokit/graphql-schema"))), "schema.json");
  const schema = buildClientSchema(JSON.parse(readFileSync(schemaPath, "utf8")) as IntrospectionQuery);
  return (query) => validate(schema, gql(query));
}

/** What validation needs of GitHub's description: per operation, its query parameters and body. */
export interface RequestDocument {
  version: string;
  operations: {
    method: string;
    template: string;
    operationId: string;
    query: Parameter[];
    body?: { schema: object; required: boolean };
  }[];
  /** The component schemas the bodies refer to, directly or through each other. */
  schemas: Record<string, unknown>;
}

let document: RequestDocument | undefined;

/** The reduced description: read from its cache when one matches the installed package, else built and cached. */
export function requestDocument(): RequestDocument {
  if (document) return document;
  const require = createRequire(import.meta.url);
  const specPath = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const version = (JSON.parse(readFileSync(join(dirname(specPath), "..", "package.json"), "utf8")) as { version: string }).version;
  const cache = join(dirname(require.resolve("ajv/package.json")), "..", ".cache", "changegate", `github-requests-${version}.json`);
  try {
    const cached = JSON.parse(readFileSync(cache, "utf8")) as RequestDocument;
    if (cached.version === version) return (document = cached);
  } catch {
    // No cache yet (or a torn one): build it.
  }
  document = reduce(JSON.parse(readFileSync(specPath, "utf8")) as Spec, version);
  mkdirSync(dirname(cache), { recursive: true });
  // Written whole under another name and renamed: a reader never sees half a file.
  const partial = `${cache}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(document));
  renameSync(partial, cache);
  return document;
}

function reduce(spec: Spec, version: string): RequestDocument {
  const resolveParameter = (p: Parameter | { $ref: string }): Parameter | undefined =>
    "$ref" in p ? (spec.components.parameters[p.$ref.replace("#/components/parameters/", "")] as Parameter | undefined) : p;
  const operations: RequestDocument["operations"] = [];
  const wanted: string[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete", "head"].includes(method)) continue;
      const query = (op.parameters ?? [])
        .map(resolveParameter)
        .filter((p): p is Parameter => p?.in === "query")
        .map((p) => ({ name: p.name, in: p.in, ...(p.schema ? { schema: { ...(p.schema.enum ? { enum: p.schema.enum } : {}), ...(p.schema.type ? { type: p.schema.type } : {}) } } : {}) }));
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      if (schema) wanted.push(...refsIn(schema));
      operations.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId ?? `${method} ${template}`,
        query,
        ...(schema ? { body: { schema: relink(schema) as object, required: op.requestBody?.required === true } } : {}),
      });
    }
  }
  const schemas: Record<string, unknown> = {};
  while (wanted.length > 0) {
    const name = wanted.pop()!;
    if (name in schemas || !(name in spec.components.schemas)) continue;
    const schema = spec.components.schemas[name];
    schemas[name] = relink(schema);
    wanted.push(...refsIn(schema));
  }
  return { version, operations, schemas };
}

/** The component schema names a schema refers to. */
function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsIn(item, out);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/components/schemas/")) out.push(value.slice("#/components/schemas/".length));
      else refsIn(value, out);
    }
  }
  return out;
}

/** A copy of a schema whose local `$ref`s point into the components schema registered as "gh". */
function relink(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relink);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `gh${value}` : relink(value);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Spec {
  paths: Record<string, Record<string, OperationObject>>;
  components: { parameters: Record<string, unknown>; schemas: Record<string, unknown> };
}

interface OperationObject {
  operationId?: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
