/**
 * Checks recorded requests against GitHub's published OpenAPI description (@octokit/openapi,
 * the dereferenced api.github.com document): the method and path must name an operation, the
 * query parameters must be that operation's, and the JSON body must match its schema.
 * The document is 70 MB: load it once per test file (`loadOpenApi()` caches it).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

export interface RecordedRequest {
  method: string;
  /** Path without the query string, as sent (percent-encoded). */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  literals: number;
  operationId: string;
  query: Set<string>;
  bodySchema?: object;
}

export interface OpenApi {
  validate(request: RecordedRequest): string[];
}

let cached: OpenApi | undefined;

export function loadOpenApi(): OpenApi {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.deref.json");
  const spec = JSON.parse(readFileSync(file, "utf8")) as { paths: Record<string, Record<string, OperationObject>> };
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete", "head"].includes(method)) continue;
      const segments = template.split("/");
      const regex = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? "[^/]+" : escape(s))).join("/")}$`);
      const query = new Set((op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name));
      const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
      operations.push({
        method: method.toUpperCase(),
        template,
        regex,
        literals: segments.filter((s) => !/^\{.+\}$/.test(s)).length,
        operationId: op.operationId ?? `${method} ${template}`,
        query,
        ...(bodySchema ? { bodySchema } : {}),
      });
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  const compiled = new Map<Operation, ValidateFunction>();
  const validator = (op: Operation): ValidateFunction => {
    let fn = compiled.get(op);
    if (!fn) {
      fn = ajv.compile(op.bodySchema ?? {});
      compiled.set(op, fn);
    }
    return fn;
  };

  cached = {
    validate(request: RecordedRequest): string[] {
      const candidates = operations
        .filter((op) => op.method === request.method && op.regex.test(request.path))
        .sort((a, b) => b.literals - a.literals);
      if (candidates.length === 0) return [`${request.method} ${request.path}: no such operation in GitHub's OpenAPI description`];
      const problems: string[] = [];
      for (const op of candidates) {
        const mine: string[] = [];
        for (const name of Object.keys(request.query)) {
          if (!op.query.has(name)) mine.push(`${op.operationId}: unknown query parameter "${name}"`);
        }
        if (op.bodySchema) {
          const fn = validator(op);
          if (!fn(request.body ?? {})) {
            mine.push(`${op.operationId}: body does not match the schema: ${ajv.errorsText(fn.errors, { separator: "; " })}`);
          }
        } else if (request.body !== undefined && request.body !== "" && !(typeof request.body === "object" && request.body !== null && Object.keys(request.body).length === 0)) {
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

interface OperationObject {
  operationId?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: object }> };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
