/**
 * Plans: `terraform show -json` / `tofu show -json` output (the plan representation), and the
 * human-readable `terraform plan` text as a fallback. What a plan says it will do is exact where
 * the HCL diff can only infer, so every delete, replace, forget and protection-lowering update is
 * reported, and a plan that is errored, partial or of an unknown format fails closed.
 *
 * The JSON is not parsed whole. One pass over the text checks the structure (strings, brackets,
 * nesting depth) and finds the top-level keys and each element of `resource_changes`; only those
 * elements and a few small top-level values are given to JSON.parse. So a plan nested 100,000
 * deep is refused before any recursion, and memory stays near the size of the text (the large
 * `prior_state`, `planned_values` and `configuration` trees are skipped over, never built).
 */
import { destroy, planIncomplete, protectionRemoved, replace, unparsed } from "../../../rules/tf/index.js";
import type { Finding } from "../../model/finding.js";
import { finding, type RuleMeta } from "../../model/rule.js";
import { isObject } from "./hcl.js";
import { protectionLowered, severityFor, typeOfAddress } from "./stateful.js";

/** Larger plans are refused with a finding rather than risking the process (V8 strings end near 512 MiB). */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;
/** Real plans nest a few dozen levels (resource attributes inside modules); far deeper is hostile. */
export const MAX_PLAN_DEPTH = 512;

export function analyzePlan(path: string, bytes: Uint8Array, maxBytes = MAX_PLAN_BYTES): Finding[] {
  if (bytes.byteLength > maxBytes) {
    return [fail(planIncomplete, path, `The plan is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MiB, over the ${(maxBytes / 1024 / 1024).toFixed(1)} MiB that changegate reads: nothing in it was analysed`)];
  }
  if (bytes.includes(0)) return [fail(unparsed, path, "The plan is a binary file (a saved .tfplan?): convert it with `terraform show -json PLANFILE` and pass that")];
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return [fail(unparsed, path, "The plan is not UTF-8 text: nothing in it could be analysed")];
  }
  return analyzePlanText(path, text);
}

export function analyzePlanText(path: string, text: string): Finding[] {
  const start = firstNonSpace(text);
  if (text[start] === "{" || text[start] === "[") return analyzePlanJson(path, text, start);
  return analyzeTextPlan(path, text);
}

function fail(rule: RuleMeta, path: string, message: string, line = 1): Finding {
  return finding(rule, { file: path, line, side: "head" }, message, { object: path, statement: `${rule.id} ${path}: ${message}` });
}

// ---------------------------------------------------------------------------------------------
// JSON

class PlanSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

interface PlanOutline {
  /** Top-level key → [start, end) of its value. */
  top: Map<string, [number, number]>;
  /** [start, end) of each element of `resource_changes`, and of `deferred_changes`. */
  changes: [number, number][];
  deferred: [number, number][];
}

function analyzePlanJson(path: string, text: string, start: number): Finding[] {
  let outline: PlanOutline;
  try {
    outline = outlinePlan(text, start);
  } catch (error) {
    if (error instanceof PlanSyntaxError) return [fail(unparsed, path, `The plan is not valid JSON: ${error.message}`, lineAt(text, error.offset))];
    // RangeError (stack or string size) and the like: still a finding, never a crash.
    return [fail(unparsed, path, `The plan could not be read: ${error instanceof Error ? error.message : String(error)}`)];
  }
  const small = (key: string): unknown => {
    const range = outline.top.get(key);
    if (!range || range[1] - range[0] > 4096) return undefined;
    try {
      return JSON.parse(text.slice(range[0], range[1]));
    } catch {
      return Symbol.for("invalid");
    }
  };
  const findings: Finding[] = [];
  const looksLikePlan = ["format_version", "resource_changes", "planned_values", "prior_state", "configuration"].some((k) => outline.top.has(k));
  if (!looksLikePlan) {
    const hint = outline.top.has("@level") || outline.top.has("@message") ? " It looks like `terraform plan -json` log output; pass `terraform show -json PLANFILE` instead." : "";
    return [fail(unparsed, path, `This JSON is not a Terraform plan (no format_version or resource_changes).${hint}`)];
  }

  const version = small("format_version");
  if (outline.top.has("format_version") && (typeof version !== "string" || !/^1(\.\d+)*$/.test(version))) {
    findings.push(fail(planIncomplete, path, `The plan's format_version is ${typeof version === "string" ? JSON.stringify(version) : "not a string"}; changegate reads format 1.x only`));
  }
  if (small("errored") === true) findings.push(fail(planIncomplete, path, "Terraform reported errors while planning (errored: true): the plan may list only part of what apply would do"));
  if (small("applyable") === false && outline.changes.length > 0) {
    findings.push(fail(planIncomplete, path, "The plan is not applyable (applyable: false): it cannot be applied as it is"));
  }
  if (small("complete") === false) findings.push(fail(planIncomplete, path, "The plan is not complete (complete: false): some changes are deferred to a later plan"));

  // Lines of offsets asked in increasing order: each newline is found once, by indexOf (a plan
  // printed on one line is searched to its end once, not once per element).
  let cursor = 0;
  let line = 1;
  let next = text.indexOf("\n");
  const lineOf = (offset: number) => {
    if (offset < cursor) {
      cursor = 0;
      line = 1;
      next = text.indexOf("\n");
    }
    while (next !== -1 && next < offset) {
      line++;
      next = text.indexOf("\n", next + 1);
    }
    cursor = offset;
    return line;
  };

  const read = (ranges: [number, number][], key: string, deferred: boolean) => {
    ranges.forEach(([from, to], index) => {
      let element: unknown;
      try {
        element = JSON.parse(text.slice(from, to));
      } catch (error) {
        findings.push(fail(unparsed, path, `${key}[${index}] is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, lineOf(from)));
        return;
      }
      const change = deferred && isObject(element) ? element.resource_change : element;
      findings.push(...judgeChange(path, change, `${key}[${index}]`, lineOf(from), deferred ? deferredReason(element) : undefined));
    });
  };
  read(outline.changes, "resource_changes", false);
  read(outline.deferred, "deferred_changes", true);
  return findings;
}

function deferredReason(element: unknown): string {
  return isObject(element) && typeof element.reason === "string" ? element.reason : "unknown";
}

const KNOWN_ACTIONS = new Set(["no-op", "create", "read", "update", "delete,create", "create,delete", "delete", "forget", "create,forget", "forget,create"]);

/** One `resource_changes` element. */
function judgeChange(path: string, raw: unknown, where: string, line: number, deferred?: string): Finding[] {
  if (!isObject(raw) || !isObject(raw.change) || !Array.isArray(raw.change.actions)) {
    return [finding(planIncomplete, { file: path, line, side: "head" }, `${where} has no change.actions: changegate cannot tell what it does`, { object: `${path}#${where}`, statement: `${where} no actions` })];
  }
  const change = raw.change;
  const actions = (change.actions as unknown[]).map(String);
  const address = typeof raw.address === "string" ? raw.address : where;
  const mode = raw.mode === "data" ? "data" : typeof raw.mode === "string" ? raw.mode : (typeOfAddress(address)?.mode ?? "managed");
  const type = typeof raw.type === "string" ? raw.type : typeOfAddress(address)?.type;
  const reason = typeof raw.action_reason === "string" ? raw.action_reason : undefined;
  const deposed = typeof raw.deposed === "string" ? raw.deposed : undefined;
  const object = deposed ? `${address} (deposed ${deposed})` : address;
  const key = actions.join(",");
  const at = { file: path, line, side: "head" as const };
  const notes = [reason ? `action_reason ${reason}` : undefined, deferred ? `deferred: ${deferred}` : undefined].filter(Boolean).join("; ");
  const suffix = notes ? ` (${notes})` : "";
  const statement = (extra = "") =>
    `${object}: ${key}${reason ? ` reason=${reason}` : ""}${deferred ? ` deferred=${deferred}` : ""}${extra}`;

  if (!KNOWN_ACTIONS.has(key)) {
    return [finding(planIncomplete, at, `${object} has actions [${actions.join(", ")}], which changegate does not know: treat it as destructive`, { object, statement: statement() })];
  }
  if (mode === "data") return [];
  switch (key) {
    case "delete": {
      if (deposed) {
        return [finding(destroy, at, `Destroys the deposed object ${deposed} of ${address}, left over from a replacement${suffix}`, { object, statement: statement(), severity: "low" })];
      }
      const why = reason ? DELETE_REASONS[reason] ?? `because ${reason}` : "with no reason given (a destroy-mode plan?)";
      return [finding(destroy, at, `The plan destroys ${address} ${why}${deferred ? ` (deferred: ${deferred})` : ""}`, { object, statement: statement(), severity: severityFor(type, destroy.severity) })];
    }
    case "delete,create":
    case "create,delete": {
      const paths = Array.isArray(change.replace_paths) ? (change.replace_paths as unknown[]).map(formatPath).filter((p) => p !== "") : [];
      const order = key === "create,delete" ? "creates the new object first, then destroys the old one" : "destroys it first, then creates it again";
      const forced = paths.length > 0 ? `; forced by ${paths.join(", ")}` : "";
      return [
        finding(replace, at, `The plan replaces ${address}: ${order}${suffix}${forced}`, {
          object,
          statement: statement(paths.length ? ` paths=${paths.join(",")}` : ""),
          severity: deposed ? "low" : severityFor(type, replace.severity),
        }),
      ];
    }
    case "forget":
      return [finding(destroy, at, `The plan stops managing ${address} without destroying it (forget): the object keeps running, unmanaged${suffix}`, { object, statement: statement(), severity: "low" })];
    case "create,forget":
    case "forget,create":
      return [finding(replace, at, `The plan creates a new ${address} and leaves the old object running, unmanaged (${key})${suffix}`, { object, statement: statement(), severity: "low" })];
    case "update": {
      const before = isObject(change.before) ? change.before : {};
      const after = isObject(change.after) ? change.after : {};
      return protectionLowered(type, before, after, { plan: true }).map((lowering) =>
        finding(protectionRemoved, at, `The plan lowers ${lowering.path} on ${address} (${sensitive(change, lowering.path) ? "sensitive value changed" : lowering.change})`, {
          object,
          statement: statement(` ${lowering.path}: ${lowering.change}`),
        }),
      );
    }
    default:
      return [];
  }
}

const DELETE_REASONS: Record<string, string> = {
  delete_because_no_resource_config: "because its block is no longer in the configuration (removed, or renamed without a moved block)",
  delete_because_wrong_repetition: "because it switched between count, for_each and a single instance without a moved block",
  delete_because_count_index: "because its index is out of range for the new count",
  delete_because_each_key: "because its key is no longer in for_each",
  delete_because_no_module: "because its module call is no longer in the configuration (or the module's count/for_each shrank)",
  delete_because_no_move_target: "because a moved block points at an address that is not in the configuration",
  delete_because_enabled_false: "because lifecycle { enabled = false }",
};

function formatPath(value: unknown): string {
  if (!Array.isArray(value)) return "";
  return value.map((step, i) => (typeof step === "number" ? `[${step}]` : `${i > 0 ? "." : ""}${String(step)}`)).join("");
}

/** Whether either side marks the attribute sensitive: its value must not be echoed. */
function sensitive(change: Record<string, unknown>, path: string): boolean {
  return [change.before_sensitive, change.after_sensitive].some((mask) => {
    if (mask === true) return true;
    let node: unknown = mask;
    for (const step of path.split(".")) {
      if (node === true) return true;
      if (Array.isArray(node)) node = node[0];
      node = isObject(node) ? node[step] : undefined;
    }
    return node === true;
  });
}

/**
 * One pass over the JSON text: validates strings, brackets and depth, and returns where the
 * top-level values and the change elements are.
 */
function outlinePlan(text: string, start: number): PlanOutline {
  const outline: PlanOutline = { top: new Map(), changes: [], deferred: [] };
  if (text[start] !== "{") throw new PlanSyntaxError("the document is not a JSON object", start);
  let i = skipSpace(text, start + 1);
  if (text[i] === "}") return finish(i + 1);
  for (;;) {
    if (text[i] !== '"') throw new PlanSyntaxError(`expected a key at offset ${i}`, i);
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    if (text[i] !== ":") throw new PlanSyntaxError(`expected ':' after the key ${JSON.stringify(key)}`, i);
    i = skipSpace(text, i + 1);
    const valueStart = i;
    if ((key === "resource_changes" || key === "deferred_changes") && text[i] === "[") {
      const list = key === "resource_changes" ? outline.changes : outline.deferred;
      i = skipSpace(text, i + 1);
      if (text[i] !== "]") {
        for (;;) {
          const end = valueEnd(text, i, 2);
          list.push([i, end]);
          i = skipSpace(text, end);
          if (text[i] === ",") {
            i = skipSpace(text, i + 1);
            continue;
          }
          if (text[i] === "]") break;
          throw new PlanSyntaxError(`expected ',' or ']' in ${key}`, i);
        }
      }
      i++;
    } else {
      i = valueEnd(text, i, 1);
    }
    outline.top.set(key, [valueStart, i]);
    i = skipSpace(text, i);
    if (text[i] === ",") {
      i = skipSpace(text, i + 1);
      continue;
    }
    if (text[i] === "}") return finish(i + 1);
    throw new PlanSyntaxError(i >= text.length ? "the document ends early (truncated?)" : `expected ',' or '}' at offset ${i}`, i);
  }

  function finish(end: number): PlanOutline {
    const rest = skipSpace(text, end);
    if (rest < text.length) {
      throw new PlanSyntaxError("more than one JSON document (is it `terraform plan -json` log output? pass `terraform show -json PLANFILE`)", rest);
    }
    return outline;
  }
}

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;

/** A JSON string from its opening quote: valid escapes, no raw control characters (unrolled, so long strings do not exhaust the regex stack). */
const STRING = /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/y; // eslint-disable-line no-control-regex
const LITERAL = /(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![A-Za-z0-9_.+-])/y;

const enum Expect {
  Value,
  ValueOrClose,
  KeyOrClose,
  Key,
  Colon,
  CommaOrClose,
}

/**
 * The end of the JSON value starting at `i`, validating it on the way (grammar, strings, depth)
 * with an explicit stack, never recursion, and without building it.
 */
function valueEnd(text: string, i: number, depth: number): number {
  const stack: number[] = [];
  let state = Expect.Value;
  const n = text.length;
  for (;;) {
    i = skipSpace(text, i);
    if (i >= n) throw new PlanSyntaxError("the document ends early (truncated?)", n);
    const c = text.charCodeAt(i);
    let completed = false;
    switch (state) {
      case Expect.Value:
      case Expect.ValueOrClose:
        if (c === CLOSE_BRACKET && state === Expect.ValueOrClose) {
          stack.pop();
          i++;
          completed = true;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          stack.push(c);
          if (stack.length + depth > MAX_PLAN_DEPTH) throw new PlanSyntaxError(`nested deeper than ${MAX_PLAN_DEPTH} levels`, i);
          state = c === OPEN_BRACE ? Expect.KeyOrClose : Expect.ValueOrClose;
          i++;
        } else if (c === QUOTE) {
          i = stringEnd(text, i);
          completed = true;
        } else {
          LITERAL.lastIndex = i;
          if (!LITERAL.test(text)) throw new PlanSyntaxError(`unexpected ${JSON.stringify(text.slice(i, i + 12))} at offset ${i}`, i);
          i = LITERAL.lastIndex;
          completed = true;
        }
        break;
      case Expect.KeyOrClose:
      case Expect.Key:
        if (c === CLOSE_BRACE && state === Expect.KeyOrClose) {
          stack.pop();
          i++;
          completed = true;
        } else if (c === QUOTE) {
          i = stringEnd(text, i);
          state = Expect.Colon;
        } else throw new PlanSyntaxError(`expected a key at offset ${i}`, i);
        break;
      case Expect.Colon:
        if (c !== COLON) throw new PlanSyntaxError(`expected ':' at offset ${i}`, i);
        i++;
        state = Expect.Value;
        break;
      case Expect.CommaOrClose: {
        const top = stack[stack.length - 1];
        if (c === COMMA) {
          state = top === OPEN_BRACE ? Expect.Key : Expect.Value;
          i++;
        } else if ((c === CLOSE_BRACE && top === OPEN_BRACE) || (c === CLOSE_BRACKET && top === OPEN_BRACKET)) {
          stack.pop();
          i++;
          completed = true;
        } else throw new PlanSyntaxError(`expected ',' or '${top === OPEN_BRACE ? "}" : "]"}' at offset ${i}`, i);
        break;
      }
    }
    if (completed) {
      if (stack.length === 0) return i;
      state = Expect.CommaOrClose;
    }
  }
}

function stringEnd(text: string, i: number): number {
  STRING.lastIndex = i;
  if (!STRING.test(text)) throw new PlanSyntaxError(`a string at offset ${i} is not closed or has an invalid character`, i);
  return STRING.lastIndex;
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

function firstNonSpace(text: string): number {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Text plans (`terraform plan` / `tofu plan` output): markers from Terraform's renderer (reference §2).

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g; // eslint-disable-line no-control-regex
const HEADER = /^\s*# (\S.*?) (will be destroyed|is tainted, so (?:it )?must be replaced|must be replaced, but the existing object will not be destroyed|must be replaced - older instance will not be destroyed.*|must be replaced|will be replaced, as requested|will be replaced due to changes in replace_triggered_by|will no longer be managed by Terraform, but will not be destroyed|will be removed from (?:Terraform|the OpenTofu) state,? but will not be destroyed|will be updated in-place|will be created|will be read during apply|has moved to \S.*|will be imported|has changed|has been deleted)$/;
const SUMMARY = /^\s*Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, (\d+) to forget)?\./;
const NO_CHANGES = /^\s*No changes\./;
const ERROR = /^\s*(?:[│|]\s*)?Error: (.*)$/;
const UPDATE_LINE = /^\s*~ ([A-Za-z0-9_]+)\s+= (\S+) -> (\S+)/;

function analyzeTextPlan(path: string, text: string): Finding[] {
  const lines = text.replace(ANSI, "").split(/\r?\n/);
  const findings: Finding[] = [];
  let summary: RegExpExecArray | null = null;
  let noChanges = false;
  let destroyed = 0;
  let inDrift = false;
  let errored = false;
  let current: { address: string; type?: string; line: number; updates: Record<string, unknown>[] } | null = null;
  const flushUpdate = () => {
    if (!current) return;
    const [before, after] = [current.updates[0]!, current.updates[1]!];
    for (const lowering of protectionLowered(current.type, before, after, { plan: true })) {
      findings.push(
        finding(protectionRemoved, { file: path, line: current.line, side: "head" }, `The plan lowers ${lowering.path} on ${current.address} (${lowering.change})`, {
          object: current.address,
          statement: `${current.address}: update ${lowering.path}: ${lowering.change}`,
        }),
      );
    }
    current = null;
  };

  lines.forEach((lineText, index) => {
    const line = index + 1;
    if (/Objects have changed outside of (Terraform|OpenTofu)/.test(lineText)) inDrift = true;
    if (/(Terraform|OpenTofu) will perform the following actions|Terraform planned the following actions/.test(lineText)) inDrift = false;
    const error = ERROR.exec(lineText);
    if (error) {
      errored = true;
      findings.push(finding(planIncomplete, { file: path, line, side: "head" }, `The plan output reports an error: ${error[1]!.trim().slice(0, 200)}`, { object: path, statement: `error ${error[1]!.trim()}` }));
      return;
    }
    const sum = SUMMARY.exec(lineText);
    if (sum) summary = sum;
    if (NO_CHANGES.test(lineText)) noChanges = true;
    const update = current ? UPDATE_LINE.exec(lineText) : null;
    if (update && current) {
      const parse = (v: string) => (v === "true" ? true : v === "false" ? false : v === "null" ? null : /^-?\d+$/.test(v) ? Number(v) : v.replace(/^"|"$/g, ""));
      current.updates[0]![update[1]!] = parse(update[2]!);
      current.updates[1]![update[1]!] = parse(update[3]!);
      return;
    }
    const header = HEADER.exec(lineText);
    if (!header) return;
    flushUpdate();
    if (inDrift) return;
    let address = header[1]!;
    const marker = header[2]!;
    const deposedMatch = /^(.*) \(deposed object (\S+)\)$/.exec(address);
    if (deposedMatch) address = deposedMatch[1]!;
    const typed = typeOfAddress(address);
    if (typed?.mode === "data") return;
    const type = typed?.type;
    const at = { file: path, line, side: "head" as const };
    const object = deposedMatch ? `${address} (deposed ${deposedMatch[2]!})` : address;
    const reason = /^\s*# \((.*)\)\s*$/.exec(lines[index + 1]?.replace(ANSI, "") ?? "")?.[1];
    const because = reason ? ` (${reason})` : "";
    if (marker === "will be destroyed") {
      destroyed++;
      findings.push(
        finding(destroy, at, deposedMatch ? `The plan destroys the deposed object ${deposedMatch[2]!} of ${address}${because}` : `The plan destroys ${address}${because}`, {
          object,
          statement: `${object}: delete${reason ? ` ${reason}` : ""}`,
          severity: deposedMatch ? "low" : severityFor(type, destroy.severity),
        }),
      );
    } else if (/not be destroyed/.test(marker) && /replaced/.test(marker)) {
      findings.push(finding(replace, at, `The plan creates a new ${address} and leaves the old object running, unmanaged`, { object, statement: `${object}: replace keep-old`, severity: "low" }));
    } else if (/replaced/.test(marker)) {
      destroyed++;
      findings.push(finding(replace, at, `The plan replaces ${address}: it ${marker}`, { object, statement: `${object}: replace (${marker})`, severity: deposedMatch ? "low" : severityFor(type, replace.severity) }));
    } else if (/not be destroyed/.test(marker)) {
      findings.push(finding(destroy, at, `The plan stops managing ${address} without destroying it (forget)`, { object, statement: `${object}: forget`, severity: "low" }));
    } else if (marker === "will be updated in-place") {
      current = { address, ...(type ? { type } : {}), line, updates: [{}, {}] };
    }
  });
  flushUpdate();

  const sum = summary as RegExpExecArray | null;
  if (!sum && !noChanges) {
    if (findings.length === 0) return [fail(unparsed, path, "This is neither plan JSON nor `terraform plan` output: no `Plan:` summary and no resource changes")];
    // An errored plan has no summary; the error is the finding.
    if (!errored) findings.push(fail(planIncomplete, path, "The plan output has no `Plan: … to destroy.` summary line: it may be cut off"));
  } else if (sum) {
    const toDestroy = Number(sum[4]);
    if (toDestroy > destroyed) {
      findings.push(fail(planIncomplete, path, `The summary says ${toDestroy} to destroy but only ${destroyed} destroyed or replaced resources are listed: part of the plan output is missing`));
    }
  }
  return findings;
}
