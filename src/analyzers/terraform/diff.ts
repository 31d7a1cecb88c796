/**
 * The static reading: one module directory at base and at head, its blocks keyed by address,
 * the two sets compared. A block that moves between files has the same address at both sides and
 * is no change; a rename is a destroy unless a `moved` block says otherwise (DESIGN §2, TFH-01..19).
 */
import { backendChange, countShrink, destroy, moduleRemoved, protectionRemoved } from "../../../rules/tf/index.js";
import type { Finding, Side } from "../../model/finding.js";
import { finding } from "../../model/rule.js";
import { bodies, canonical, expressionText, isExpression, isObject, isOverrideFile, type TfBlock } from "./hcl.js";
import type { ScannedBlock } from "./scan.js";
import { protectionLowered, severityFor } from "./stateful.js";
import { compareText } from "../../util/compare.js";

export interface ModuleSide {
  /** Every block of the directory at this side, from every file. */
  blocks: TfBlock[];
  /** Files of the directory at this side. */
  files: string[];
  /** Files the HCL parser rejected at this side: their blocks are only an outline. */
  unparsed: Set<string>;
}

interface Moved {
  from: string;
  to: string;
  block: TfBlock;
}

export function compareModule(dir: string, base: ModuleSide, head: ModuleSide): Finding[] {
  const findings: Finding[] = [];
  const baseByAddress = keyed(base.blocks);
  const headByAddress = keyed(head.blocks);
  const moved: Moved[] = head.blocks
    .filter((b) => b.kind === "moved")
    .flatMap((block) => {
      const from = expressionText(block.body.from);
      const to = expressionText(block.body.to);
      return from && to ? [{ from, to, block }] : [];
    });
  const removedBlocks = head.blocks.filter((b) => b.kind === "removed");
  const baseRemoved = new Set(base.blocks.filter((b) => b.kind === "removed").map((b) => canonical(b.body)));
  const reportedRemoved = new Set<TfBlock>();

  // A resource or module whose address left the configuration.
  const added = [...headByAddress.values()].filter((b) => !baseByAddress.has(b.address));
  for (const [address, block] of baseByAddress) {
    if (headByAddress.has(address)) continue;
    if (block.kind !== "resource" && block.kind !== "module") continue;
    if (moved.some((m) => covers(m.from, address))) continue;
    const removal = removedBlocks.find((r) => covers(expressionText(r.body.from) ?? "", address));
    if (removal) {
      reportedRemoved.add(removal);
      findings.push(removedFinding(removal, address, block.type));
      continue;
    }
    const rule = block.kind === "module" ? moduleRemoved : destroy;
    const twin = added.find((b) => b.kind === block.kind && b.type === block.type && !b.outlineOnly && !block.outlineOnly && canonical(b.body) === canonical(block.body));
    const what = block.kind === "module" ? `module call ${address}` : address;
    const message = twin
      ? `Renames ${what} to ${twin.address} without a moved block: Terraform destroys it and creates a new one`
      : block.kind === "module"
        ? `Removes the ${what}: Terraform destroys every resource it manages`
        : `Removes ${what} from the configuration: Terraform destroys it`;
    findings.push(
      finding(rule, at(block, "base"), message, {
        object: address,
        statement: statementOf(block),
        severity: block.kind === "module" ? rule.severity : severityFor(block.type, rule.severity),
      }),
    );
  }

  // `removed` blocks new in this change, for addresses that were already gone from the configuration.
  for (const removal of removedBlocks) {
    if (reportedRemoved.has(removal) || baseRemoved.has(canonical(removal.body))) continue;
    const from = expressionText(removal.body.from);
    if (!from) continue;
    findings.push(removedFinding(removal, from, from.startsWith("module.") ? undefined : from.split(".")[0]));
  }

  // Blocks at both sides.
  for (const [address, after] of headByAddress) {
    const before = baseByAddress.get(address);
    if (!before || before.outlineOnly || after.outlineOnly) continue;
    if (after.kind === "resource") findings.push(...repetition(before, after, moved, countShrink));
    if (after.kind === "module") {
      findings.push(...moduleSource(before, after));
      findings.push(...repetition(before, after, moved, moduleRemoved));
    }
    if (after.kind === "resource" || after.kind === "module") findings.push(...protections(before, after));
  }

  findings.push(...backend(base, head));

  // A whole directory of Terraform deleted (TFH-19): a root module's resources stay in state, or CI destroys them.
  if (head.files.length === 0 && base.files.length > 0 && base.blocks.some((b) => b.kind === "resource" || b.kind === "module")) {
    const first = [...base.files].sort()[0]!;
    findings.push(
      finding(moduleRemoved, { file: first, line: 1, side: "base" }, `Deletes the whole Terraform directory ${dir || "."}: what it manages stays in state or is destroyed if CI applies it`, {
        object: dir || ".",
        statement: `delete directory ${dir || "."}`,
      }),
    );
  }
  return findings;
}

function keyed(blocks: readonly TfBlock[]): Map<string, TfBlock> {
  const map = new Map<string, TfBlock>();
  const overrides: TfBlock[] = [];
  for (const block of blocks) {
    if (block.kind === "moved" || block.kind === "removed" || block.kind === "import" || block.kind === "backend" || block.kind === "cloud") continue;
    if (isOverrideFile(block.file)) overrides.push(block);
    else if (!map.has(block.address)) map.set(block.address, block);
  }
  // Terraform applies override files after the others, in lexical order of their names; an
  // override names an existing block and replaces its arguments (lifecycle argument by argument).
  // One that names nothing is an error for Terraform itself, and adds nothing here.
  for (const over of overrides.sort((a, b) => compareText(a.file, b.file) || a.line - b.line)) {
    const original = map.get(over.address);
    if (!original || original.outlineOnly || over.outlineOnly) continue;
    map.set(over.address, { ...original, body: mergeOverride(original.body, over.body), overrides: [...(original.overrides ?? []), over] });
  }
  return map;
}

function mergeOverride(body: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...body };
  for (const [key, value] of Object.entries(over)) {
    merged[key] = key === "lifecycle" ? [{ ...(bodies(body.lifecycle)[0] ?? {}), ...(bodies(value)[0] ?? {}) }] : value;
  }
  return merged;
}

/** Whether a `moved`/`removed` address names this block or one of its instances (`aws_x.y[0]`). */
function covers(from: string, address: string): boolean {
  const bare = from.replace(/\s+/g, "");
  return bare === address || (bare.startsWith(address) && bare[address.length] === "[");
}

function removedFinding(removal: TfBlock, address: string, type: string | undefined): Finding {
  const lifecycle = bodies(removal.body.lifecycle)[0];
  const destroyValue = lifecycle?.destroy;
  const forgets = destroyValue === false || destroyValue === "false";
  const message = forgets
    ? `Stops managing ${address} without destroying it (removed with destroy = false): the object keeps running, unmanaged`
    : `Destroys ${address}: its removed block does not set lifecycle { destroy = false }`;
  return finding(destroy, at(removal, "head"), message, {
    object: address,
    statement: `removed ${canonical(removal.body)}`,
    severity: forgets ? "low" : severityFor(type, destroy.severity),
  });
}

/** count / for_each shrinking or switching (resources: tf/count-shrink; module calls: tf/module-removed). */
function repetition(before: TfBlock, after: TfBlock, moved: readonly Moved[], rule: typeof countShrink): Finding[] {
  const address = after.address;
  if (moved.some((m) => covers(m.from, address) || covers(m.to, address))) return [];
  const severity = after.kind === "module" ? rule.severity : severityFor(after.type, rule.severity);
  const emit = (attribute: string, message: string) => [
    finding(rule, at(after, "head", attribute), message, {
      object: address,
      statement: `${address} count=${canonical(before.body.count ?? null)} for_each=${canonical(before.body.for_each ?? null)} -> count=${canonical(after.body.count ?? null)} for_each=${canonical(after.body.for_each ?? null)}`,
      severity,
    }),
  ];
  const [wasCount, wasEach] = [before.body.count, before.body.for_each];
  const [count, each] = [after.body.count, after.body.for_each];
  if (wasCount !== undefined && each !== undefined) {
    return emit("for_each", `Switches ${address} from count to for_each without moved blocks: every instance changes address, so each is destroyed and created again`);
  }
  if (wasEach !== undefined && count !== undefined) {
    return emit("count", `Switches ${address} from for_each to count without moved blocks: every instance changes address, so each is destroyed and created again`);
  }
  if (wasEach !== undefined && each === undefined && count === undefined) {
    return emit("for_each", `Removes for_each from ${address}: every keyed instance is destroyed`);
  }
  if (wasEach === undefined && wasCount === undefined && each !== undefined) {
    return emit("for_each", `Adds for_each to ${address} without a moved block: the existing instance is destroyed and keyed ones are created`);
  }
  const oldCount = literalNumber(wasCount);
  const newCount = count === undefined && wasCount !== undefined ? (each === undefined ? 1 : undefined) : literalNumber(count);
  if (oldCount !== undefined && newCount !== undefined && newCount < oldCount) {
    return emit("count", `Lowers the count of ${address} from ${oldCount} to ${newCount}: ${instances(address, newCount, oldCount)} destroyed`);
  }
  const oldKeys = literalKeys(wasEach);
  const newKeys = literalKeys(each);
  if (oldKeys && newKeys) {
    const gone = [...oldKeys].filter((k) => !newKeys.has(k));
    if (gone.length > 0) {
      return emit("for_each", `Removes ${gone.length === 1 ? "the key" : "the keys"} ${gone.map((k) => JSON.stringify(k)).join(", ")} from the for_each of ${address}: ${gone.length === 1 ? "that instance is" : "those instances are"} destroyed`);
    }
  }
  return [];
}

function instances(address: string, from: number, to: number): string {
  if (to - from === 1) return `${address}[${from}] is`;
  return `${address}[${from}] to [${to - 1}] are`;
}

/** `3`, `"3"` or `"${3}"`, blanks around them allowed. */
export function literalNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  // Trimmed first: in one pattern, `\s*\}?\s*$` splits a run of blanks many ways before it fails.
  if (typeof value === "string" && /^(?:\$\{\s*)?\d+(?:\s*\})?$/.test(value.trim())) return Number(value.replace(/[^\d]/g, ""));
  return undefined;
}

/** Keys of a literal for_each: a list of strings, a map, or `toset([...])` of string literals. */
function literalKeys(value: unknown): Set<string> | undefined {
  if (Array.isArray(value)) return value.every((v) => typeof v === "string") ? new Set(value as string[]) : undefined;
  if (isObject(value)) return new Set(Object.keys(value));
  if (typeof value === "string") {
    const match = /^\$\{\s*toset\(\s*(\[[\s\S]*\])\s*\)\s*\}$/.exec(value.trim());
    if (!match) return undefined;
    try {
      const list: unknown = JSON.parse(match[1]!);
      return Array.isArray(list) && list.every((v) => typeof v === "string") ? new Set(list as string[]) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A module call whose source now names a different module (a new ref or version of the same one is not). */
function moduleSource(before: TfBlock, after: TfBlock): Finding[] {
  const was = normaliseSource(before.body.source);
  const now = normaliseSource(after.body.source);
  if (was === undefined || now === undefined || was === now) return [];
  return [
    finding(moduleRemoved, at(after, "head", "source"), `Points module call ${after.address} at another module (${String(before.body.source)} → ${String(after.body.source)}): what the old one manages is destroyed`, {
      object: after.address,
      statement: `${after.address} source ${canonical(before.body.source)} -> ${canonical(after.body.source)}`,
    }),
  ];
}

function normaliseSource(source: unknown): string | undefined {
  if (typeof source !== "string") return undefined;
  if (isExpression(source)) return source;
  return source
    .trim()
    .replace(/[?&]ref=[^&]*/, "")
    .replace(/\?$/, "")
    .replace(/^git::/, "")
    .replace(/\.git(?=\/\/|$)/, "")
    .replace(/(?<!\/)\/+$/, "")
    .replace(/^\.\//, "");
}

function protections(before: TfBlock, after: TfBlock): Finding[] {
  return protectionLowered(after.type, before.body, after.body).map((lowering) => {
    const what = lowering.path === "lifecycle.prevent_destroy" ? "prevent_destroy" : lowering.path;
    return finding(protectionRemoved, at(lowering.change.endsWith("removed") ? before : after, lowering.change.endsWith("removed") ? "base" : "head", lowering.path), `Lowers ${what} on ${after.address} (${lowering.change})`, {
      object: after.address,
      statement: `${after.address} ${lowering.path}: ${lowering.change}`,
    });
  });
}

function backend(base: ModuleSide, head: ModuleSide): Finding[] {
  const findings: Finding[] = [];
  for (const kind of ["backend", "cloud"] as const) {
    const was = base.blocks.find((b) => b.kind === kind);
    const now = head.blocks.find((b) => b.kind === kind);
    if (!was && !now) continue;
    const wasText = was ? canonical(was.body) : null;
    const nowText = now ? canonical(now.body) : null;
    if (wasText === nowText) continue;
    // A parse failure leaves the other side unknown, not empty.
    if ((!was && base.unparsed.size > 0) || (!now && head.unparsed.size > 0)) continue;
    const label = kind === "backend" ? "terraform { backend }" : "terraform { cloud }";
    const describe = (b: TfBlock | undefined) => (b ? (kind === "backend" ? Object.keys(b.body)[0] ?? "?" : "cloud") : "none");
    const message = !was
      ? `Adds a ${label} block (${describe(now)}): the state moves to a new backend`
      : !now
        ? `Removes the ${label} block (${describe(was)}): Terraform falls back to local state and sees nothing it manages`
        : `Changes the ${label} settings (${describe(was)} → ${describe(now)}): Terraform may see an empty or another team's state`;
    const block = now ?? was!;
    findings.push(
      finding(backendChange, at(block, now ? "head" : "base"), message, {
        object: `terraform.${kind}`,
        statement: `terraform.${kind} ${wasText ?? "none"} -> ${nowText ?? "none"}`,
      }),
    );
  }
  return findings;
}

/** Where to point: the attribute's line inside the block when the scanner found it, else the block. */
function at(block: TfBlock, side: Side, path?: string): { file: string; line: number; endLine?: number; side: Side } {
  // An argument set by an override file is pointed at there (the last override that sets it wins).
  for (const over of [...(block.overrides ?? [])].reverse()) {
    const line = path && over.scanned ? attributeLine(over.scanned, path.split(".")) : undefined;
    if (line !== undefined) return { file: over.file, line, side };
  }
  if (path && block.scanned) {
    const line = attributeLine(block.scanned, path.split("."));
    if (line !== undefined) return { file: block.file, line, side };
  }
  return { file: block.file, line: block.line, endLine: block.endLine, side };
}

function attributeLine(block: ScannedBlock, path: string[]): number | undefined {
  const [head, ...rest] = path.filter((p) => !/^\d+$/.test(p));
  if (head === undefined) return undefined;
  if (rest.length === 0) return block.attributes.find((a) => a.name === head)?.line ?? block.blocks.find((b) => b.type === head)?.line;
  const child = block.blocks.find((b) => b.type === head);
  if (child) return attributeLine(child, rest) ?? child.line;
  return block.attributes.find((a) => a.name === head)?.line;
}

function statementOf(block: TfBlock): string {
  const labels = block.kind === "resource" ? block.address.split(".") : [block.address.split(".").slice(1).join(".")];
  const header = [block.kind, ...labels.map((l) => JSON.stringify(l))].join(" ");
  return block.outlineOnly ? `${header} (not parsed)` : `${header} ${canonical(block.body)}`;
}
