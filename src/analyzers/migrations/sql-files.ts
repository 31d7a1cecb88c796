import { severityRank, type Finding } from "../../model/finding.js";
import type { TransactionMode } from "../sql/index.js";
import type { Emitter } from "./emit.js";
import { isRollbackFile } from "./layouts.js";
import { splitLines } from "./lines.js";
import * as rules from "../../../rules/sql/index.js";

/** A contiguous piece of a SQL migration file that runs one way. */
export interface SqlPart {
  text: string;
  /** 1-based line of the part's first line in the file. */
  startLine: number;
  rollback: boolean;
  /** Liquibase changeset `author:id` the part belongs to. */
  changeset?: string;
  /** How the tool runs the part, where its markers say (see `transactionMode`). */
  transaction?: TransactionMode;
}

const GOOSE = /^\s*--\s*\+goose\s+(up|down)\b/i;
const DBMATE = /^\s*--\s*migrate:(up|down)\b/i;
const GOOSE_NO_TRANSACTION = /^[ \t]*--[ \t]*\+goose[ \t]+NO[ \t]+TRANSACTION\b/im;
const DBMATE_NO_TRANSACTION = /\btransaction\s*:\s*false\b/i;
/** sqlx: `-- no-transaction` as the file's first line. */
const SQLX_NO_TRANSACTION = /^\s*--\s*no-transaction\s*$/i;
/** Atlas `-- atlas:txmode none`, Flyway's in-script `executeInTransaction=false`. */
const OTHER_NO_TRANSACTION = /^[ \t]*--[ \t]*(?:atlas:txmode[ \t]+none\b|flyway:executeInTransaction[ \t]*=[ \t]*false\b)/im;
const LIQUIBASE_NO_TRANSACTION = /\brunInTransaction\s*:\s*false\b/i;
const LIQUIBASE = /^\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^\s*--\s*changeset\s+(\S+)/i;
const ROLLBACK_LINE = /^\s*--\s*rollback\b ?(.*)$/i;
/** Liquibase's multi-line rollback block: `/* liquibase rollback` … `*\/`. */
const ROLLBACK_BLOCK = /^\s*\/\*\s*liquibase\s+rollback\b/i;

/**
 * Splits a SQL migration into what runs forward and what is rollback, by the framework's
 * markers: goose `-- +goose Up/Down`, dbmate `-- migrate:up/down`, Liquibase formatted SQL
 * (`--changeset`, `--rollback`), or the file name (`*.down.sql`, Flyway `U__`).
 */
export function splitSqlMigration(path: string, text: string): SqlPart[] {
  const lines = splitLines(text);
  // Markers inside the file say more than its name: a goose file may be called `…_scale_down.sql`.
  if (lines.some((l) => LIQUIBASE.test(l))) return splitLiquibase(lines);
  const marker = lines.some((l) => GOOSE.test(l)) ? GOOSE : lines.some((l) => DBMATE.test(l)) ? DBMATE : null;
  if (!marker) {
    const first = lines.find((l) => l.trim() !== "");
    const none = (first !== undefined && SQLX_NO_TRANSACTION.test(first)) || OTHER_NO_TRANSACTION.test(text);
    return [{ text, startLine: 1, rollback: isRollbackFile(path), ...(none ? { transaction: "none" as const } : {}) }];
  }
  // goose and dbmate run each migration in a transaction unless told not to.
  const gooseMode: TransactionMode = GOOSE_NO_TRANSACTION.test(text) ? "none" : "wrapped";

  const parts: SqlPart[] = [];
  let current: { start: number; rollback: boolean; transaction: TransactionMode } | null = null;
  const close = (end: number) => {
    if (current) parts.push({ text: lines.slice(current.start, end).join("\n"), startLine: current.start + 1, rollback: current.rollback, transaction: current.transaction });
  };
  lines.forEach((line, index) => {
    const match = marker.exec(line);
    if (!match) return;
    close(index);
    // The marker line itself is a comment: keep it so the part starts at the marker's line.
    const transaction = marker === GOOSE ? gooseMode : DBMATE_NO_TRANSACTION.test(line) ? "none" : "wrapped";
    current = { start: index, rollback: match[1]!.toLowerCase() === "down", transaction };
  });
  close(lines.length);
  // Text before the first marker is not run by either tool (they read sections only).
  return parts;
}

function splitLiquibase(lines: string[]): SqlPart[] {
  const parts: SqlPart[] = [];
  let forward: string[] = [];
  let forwardStart = 0;
  let changeset: string | undefined;
  let transaction: TransactionMode = "wrapped";
  let inRollbackBlock = false;
  let rollbackBlock: { start: number; lines: string[] } | null = null;
  const flush = (next: number) => {
    if (forward.some((l) => l.trim() !== "")) {
      parts.push({ text: forward.join("\n"), startLine: forwardStart + 1, rollback: false, transaction, ...(changeset ? { changeset } : {}) });
    }
    forward = [];
    forwardStart = next;
  };
  lines.forEach((line, index) => {
    if (inRollbackBlock) {
      const end = line.indexOf("*/");
      if (end >= 0) {
        rollbackBlock!.lines.push(line.slice(0, end));
        parts.push({ text: rollbackBlock!.lines.join("\n"), startLine: rollbackBlock!.start + 1, rollback: true, ...(changeset ? { changeset } : {}) });
        inRollbackBlock = false;
        rollbackBlock = null;
      } else {
        rollbackBlock!.lines.push(line);
      }
      forward.push("");
      return;
    }
    const set = CHANGESET.exec(line);
    if (set) {
      flush(index);
      changeset = set[1];
      transaction = LIQUIBASE_NO_TRANSACTION.test(line) ? "none" : "wrapped";
      forward.push(line);
      return;
    }
    const rollback = ROLLBACK_LINE.exec(line);
    if (rollback) {
      parts.push({ text: rollback[1] ?? "", startLine: index + 1, rollback: true, ...(changeset ? { changeset } : {}) });
      forward.push("");
      return;
    }
    if (ROLLBACK_BLOCK.test(line)) {
      inRollbackBlock = true;
      rollbackBlock = { start: index, lines: [line.replace(ROLLBACK_BLOCK, "")] };
      forward.push("");
      return;
    }
    forward.push(line);
  });
  flush(lines.length);
  return parts;
}

/** Liquibase formatted SQL: the changesets (`author:id` → their text) of one file. */
export function liquibaseChangesets(text: string): Map<string, { line: number; body: string }> | null {
  const lines = splitLines(text);
  if (!lines.some((l) => LIQUIBASE.test(l))) return null;
  const sets = new Map<string, { line: number; body: string }>();
  let current: { id: string; line: number; body: string[] } | null = null;
  const close = () => {
    if (current) sets.set(current.id, { line: current.line, body: current.body.map((l) => l.trim()).filter(Boolean).join("\n") });
  };
  lines.forEach((line, index) => {
    const set = CHANGESET.exec(line);
    if (set) {
      close();
      current = { id: set[1]!, line: index + 1, body: [line] };
    } else if (current) {
      current.body.push(line);
    }
  });
  close();
  return sets;
}

/** Prisma writes its own data-loss warnings into the generated file: `/* Warnings: - … *\/`. */
export function prismaWarnings(text: string): { line: number; warnings: string[] } | null {
  // Line by line, not one pattern over the text: `\/\*\s*\n\s*Warnings:` backtracks quadratically
  // over a long run of blank lines after a comment's start.
  const lines = text.split("\n");
  let start = -1;
  let opened = -1;
  for (let at = 0; at + 1 < lines.length && start < 0; at++) {
    const open = lines[at]!.lastIndexOf("/*");
    if (open < 0 || lines[at]!.slice(open + 2).trim() !== "") continue;
    let next = at + 1;
    while (next < lines.length && lines[next]!.trim() === "") next++;
    if (next < lines.length && lines[next]!.trim() === "Warnings:") [start, opened] = [next, at];
  }
  if (start < 0) return null;
  const body: string[] = [];
  let closed = false;
  for (const raw of lines.slice(start + 1)) {
    const end = raw.indexOf("*/");
    if (end >= 0) {
      body.push(raw.slice(0, end));
      closed = true;
      break;
    }
    body.push(raw);
  }
  if (!closed) return null;
  const line = opened + 1;
  const warnings: string[] = [];
  for (const raw of body) {
    const trimmed = raw.trim();
    const item = /^-\s/.test(trimmed) ? trimmed.slice(1).trim() : undefined;
    if (item) warnings.push(item);
    else if (trimmed !== "" && warnings.length > 0) warnings[warnings.length - 1] += ` ${trimmed}`;
  }
  return warnings.length > 0 ? { line, warnings } : null;
}

export function readSqlMigration(path: string, text: string, emit: Emitter, onlyChangesets?: ReadonlySet<string>): void {
  const before = emit.findings.length;
  for (const part of splitSqlMigration(path, text)) {
    if (onlyChangesets && part.changeset !== undefined && !onlyChangesets.has(part.changeset)) continue;
    emit.sql(part.text, part.startLine, { rollback: part.rollback, ...(part.transaction ? { transaction: part.transaction } : {}) });
  }
  const warnings = prismaWarnings(text);
  if (!warnings) return;
  const statements = emit.findings.slice(before).filter((f) => !f.rollback);
  for (const warning of warnings.warnings) {
    const lost = /\b(lost|drop|dropped|removed|truncat)/i.test(warning);
    const severity = lost ? rules.prismaWarning.severity : "medium";
    const names = [...warning.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    // "… the column `legacyId` on the `Order` table": the table comes last.
    const object = names.length >= 2 && /\bcolumn\b/.test(warning) ? `${names[1]}.${names[0]}` : names[0];
    // One fact, one finding: the statement the warning is about carries the warning, at its own line.
    const about = object === undefined ? undefined : warnedStatement(statements, object);
    if (about) {
      about.message += `; Prisma warned: ${warning}`;
      if (severityRank(severity) > severityRank(about.severity)) about.severity = severity;
      continue;
    }
    emit.operation(rules.prismaWarning, warnings.line, warning, {
      ...(lost ? {} : { severity: "medium" as const }),
      ...(object !== undefined ? { object } : {}),
    });
  }
}

/** Names compared as Prisma writes them and as the SQL reader reports them: unquoted, lower-cased, schema-less. */
function bareName(name: string): string {
  return name.replace(/["`[\]]/g, "").toLowerCase();
}

/**
 * The finding of the statement a Prisma warning is about: the same object (`Table.column` or
 * `Table`), else the first finding on that table's column or on the table.
 */
function warnedStatement(findings: readonly Finding[], object: string): Finding | undefined {
  const wanted = bareName(object);
  const named = findings.filter((f) => f.object !== undefined);
  const same = (f: Finding) => {
    const have = bareName(f.object!);
    return have === wanted || have.endsWith(`.${wanted}`);
  };
  const onTable = (f: Finding) => {
    const have = bareName(f.object!);
    return !wanted.includes(".") && (have.startsWith(`${wanted}.`) || have.includes(`.${wanted}.`));
  };
  return named.find(same) ?? named.find(onTable);
}
