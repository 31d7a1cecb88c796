/**
 * Request validation against GitHub's published REST description (@octokit/openapi, the
 * api.github.com document with its `$ref`s kept: 13 MB, parsed in about half a second, where the
 * dereferenced copy takes seconds and 250 MB). The method and path must name an operation, every
 * query parameter must be one of its parameters (with an allowed value where the schema lists
 * them), and a JSON body must match its schema. Body schemas compile on first use.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

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
  const require = createRequire(import.meta.url);
  const spec = JSON.parse(readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8")) as Spec;
  const resolveParameter = (p: Parameter | { $ref: string }): Parameter => {
    if ("$ref" in p) {
      const name = p.$ref.replace("#/components/parameters/", "");
      return spec.components.parameters[name] as Parameter;
    }
    return p;
  };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete", "head"].includes(method)) continue;
      const segments = template.split("/");
      const regex = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? "[^/]+" : escape(s))).join("/")}$`);
      const query = new Map<string, Parameter>();
      for (const raw of op.parameters ?? []) {
        const p = resolveParameter(raw);
        if (p?.in === "query") query.set(p.name, p);
      }
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      operations.push({
        method: method.toUpperCase(),
        regex,
        literals: segments.filter((s) => !/^\{.+\}$/.test(s)).length,
        operationId: op.operationId ?? `${method} ${template}`,
        query,
        ...(schema ? { body: { schema: relink(schema) as object, required: op.requestBody?.required === true } } : {}),
      });
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv);
  ajv.addSchema({ $id: "gh", components: spec.components });
  const compiled = new Map<Operation, ValidateFunction>();
  const validatorOf = (op: Operation): ValidateFunction => {
    let fn = compiled.get(op);
    if (!fn) {
      fn = ajv.compile(op.body!.schema);
      compiled.set(op, fn);
    }
    return fn;
  };
  const candidatesOf = (request: Pick<ApiRequest, "method" | "path">) =>
    operations.filter((op) => op.method === request.method && op.regex.test(request.path)).sort((a, b) => b.literals - a.literals);

  cached = {
    operationOf: (request) => candidatesOf(request)[0]?.operationId,
    validate(request) {
      const candidates = candidatesOf(request);
      if (candidates.length === 0) return [`${request.method} ${request.path}: no such operation in GitHub's OpenAPI description`];
      const problems: string[] = [];
      for (const op of candidates) {
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
