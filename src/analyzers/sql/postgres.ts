import {
  parsePlPgSQLSync,
  parseSync,
  type AlterTableCmd,
  type ColumnDef,
  type Constraint,
  type GrantStmt,
  type Node,
  type RangeVar,
  type RawStmt,
  type RoleSpec,
} from "libpg-query";
import {
  alwaysTrue,
  constantText,
  defElems,
  lastName,
  lastPart,
  nameList,
  objectName,
  oneLine,
  parentPart,
  rangeVarName,
  roleName,
  summary,
  typeText,
  walk,
  walkStatements,
} from "./ast.js";
import type { Severity } from "../../model/finding.js";
import type { RuleMeta } from "../../model/rule.js";
import { type Run, type Spot } from "./run.js";
import { findAckMarkers, SqlSource, type AckMarker } from "./source.js";
import { splitByHand, splitWithScanner, type ByteRange } from "./split.js";
import { describeTypeChange } from "./schema.js";
import { normaliseStatement } from "./statement.js";
import { harmlessNote, harmlessReading, readTokens, tokenize, unqualified, whereText } from "./tokens.js";
import * as rules from "../../../rules/sql/index.js";

/** Texts above this are parsed in batches of statements, so memory stays bounded. */
const BATCH_BYTES = 512 * 1024;
/** Deeper nesting is not handed to the parser (it is never real migration SQL, and recursion is finite). */
const MAX_NESTING = 1000;
/** How deep embedded code (function bodies, dynamic SQL) is followed. */
const MAX_EMBEDDING = 4;

export interface Scope {
  prefix: string;
  ack?: string;
  depth: number;
}

/**
 * Analyses PostgreSQL text: one parse in the common case, statement by statement when that fails.
 * `StatementReader` below holds the detectors, one method per kind of statement; each reports through
 * `Run.report`, which turns the rule id into a finding with the statement's lines.
 */
export function analyzePostgres(run: Run, source: SqlSource, scope: Scope): void {
  if (source.skipTrivia(0, source.length) >= source.length) return;
  const reader = new SourceReader(run, source, scope);
  if (source.length > BATCH_BYTES) {
    reader.readInBatches();
  } else if (maxNesting(source.bytes, 0, source.length) > MAX_NESTING) {
    reader.readRanges(split(source));
  } else {
    let parsed: RawStmt[] | undefined;
    try {
      parsed = parseSync(source.text).stmts ?? [];
    } catch {
      parsed = undefined;
    }
    if (parsed) reader.readParsed(parsed, 0, source.length);
    else reader.readRanges(split(source));
  }
}

function split(source: SqlSource): ByteRange[] {
  return splitWithScanner(source) ?? splitByHand(source);
}

function maxNesting(bytes: Uint8Array, from: number, to: number): number {
  let depth = 0;
  let max = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c === 0x28) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x29 && depth > 0) {
      depth--;
    }
  }
  return max;
}

class SourceReader {
  private readonly markers: AckMarker[];
  private readonly replicationCalls: boolean;

  constructor(
    readonly run: Run,
    readonly source: SqlSource,
    readonly scope: Scope,
  ) {
    this.markers = findAckMarkers(source);
    const fileMarker = this.markers.find((m) => m.fileLevel);
    if (fileMarker && run.fileAck === undefined) run.fileAck = fileMarker.text;
    this.replicationCalls = /pg_drop_replication_slot|pg_replication_origin_drop|setval/i.test(source.text);
  }

  readInBatches(): void {
    const ranges = splitByHand(this.source);
    let batch: ByteRange[] = [];
    let size = 0;
    const flush = () => {
      if (batch.length === 0) return;
      const from = batch[0]!.start;
      const to = batch[batch.length - 1]!.end;
      const parsed = maxNesting(this.source.bytes, from, to) > MAX_NESTING ? undefined : this.tryParse(this.source.slice(from, to));
      if (parsed) this.readParsed(parsed, from, to);
      else this.readRanges(batch);
      batch = [];
      size = 0;
    };
    for (const range of ranges) {
      batch.push(range);
      size += range.end - range.start;
      if (size >= BATCH_BYTES / 4) flush();
    }
    flush();
  }

  private tryParse(text: string): RawStmt[] | undefined {
    try {
      return parseSync(text).stmts ?? [];
    } catch {
      return undefined;
    }
  }

  /** Statements of one successful parse of the bytes [from, to). */
  readParsed(stmts: RawStmt[], from: number, to: number): void {
    // Comments before a statement belong to it (suppression markers); the parser's locations may skip them.
    let previousEnd = from;
    for (const raw of stmts) {
      const start = from + (raw.stmt_location ?? 0);
      const end = raw.stmt_len ? start + raw.stmt_len : to;
      if (raw.stmt) this.readStatement(raw.stmt, start, end, Math.min(previousEnd, start));
      previousEnd = end;
    }
  }

  /** Each range parsed on its own; what does not parse is `sql/unparsed` plus a keyword reading. */
  readRanges(ranges: ByteRange[]): void {
    for (const range of ranges) {
      const first = this.source.skipTrivia(range.start, range.end);
      if (first >= range.end) continue;
      const text = this.source.slice(range.start, range.end);
      let parsed: RawStmt[] | undefined;
      let error = "";
      if (maxNesting(this.source.bytes, range.start, range.end) > MAX_NESTING) {
        error = `nesting deeper than ${MAX_NESTING} levels`;
      } else {
        try {
          parsed = parseSync(text).stmts ?? [];
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
      }
      if (parsed) {
        this.readParsed(parsed, range.start, range.end);
        continue;
      }
      const spot = this.spot(range.start, range.end);
      const before = this.run.findings.length;
      const tokens = tokenize(text);
      const harmless = harmlessReading(tokens);
      this.run.report(spot, rules.unparsed, `The PostgreSQL parser rejected this statement (${oneLine(error)})${harmlessNote(harmless)}`, {
        object: summary(this.source.slice(first, Math.min(range.end, first + 200))),
        ...(harmless !== undefined ? { severity: "low" as const } : {}),
      });
      for (const hit of readTokens(tokens)) {
        this.run.report(spot, hit.rule, `${hit.message} (read from keywords only)`, {
          ...(hit.object !== undefined ? { object: hit.object } : {}),
          ...(hit.table !== undefined ? { table: hit.table } : {}),
          ...(hit.cascade ? { cascade: true } : {}),
        });
      }
      if (this.scope.depth === 0) this.run.noteStatement(this.source.slice(first, range.end), spot, before);
    }
  }

  /** Line span of the statement in bytes [start, end), skipping leading comments, and the marker that applies. */
  spot(start: number, end: number, leadingFrom = start): Spot {
    const source = this.source;
    const first = source.skipTrivia(start, end);
    const last = Math.max(first + 1, source.trimEnd(first, end));
    const line = source.lineAt(first);
    const endLine = source.lineAt(last - 1);
    let ack = this.scope.ack;
    if (ack === undefined && this.markers.length > 0) {
      // A marker after the previous statement on its own line belongs to that statement, not to this one.
      const previousLine = leadingFrom > 0 ? source.lineAt(leadingFrom - 1) : -1;
      for (const marker of this.markers) {
        if (marker.fileLevel) continue;
        const leading = marker.offset >= leadingFrom && marker.offset < end && marker.line !== previousLine;
        if (leading || marker.line === endLine) ack = marker.text;
      }
    }
    const statement = () => normaliseStatement(source.slice(first, end));
    return { line, endLine, prefix: this.scope.prefix, statement, ...(ack !== undefined ? { ack } : {}) };
  }

  readStatement(node: Node, start: number, end: number, leadingFrom = start): void {
    const spot = this.spot(start, end, leadingFrom);
    const before = this.run.findings.length;
    new StatementReader(this, spot, start, end).read(node);
    if (this.replicationCalls) {
      walk(node, (kind, value) => {
        if (kind !== "FuncCall") return;
        const name = lastName((value as { funcname?: Node[] }).funcname);
        if (name === "pg_drop_replication_slot" || name === "pg_replication_origin_drop") {
          const arg = constantText((value as { args?: Node[] }).args?.[0]);
          this.run.report(spot, rules.replication, `Calls ${name}(${arg !== undefined ? `'${arg}'` : ""})`, arg !== undefined ? { object: arg } : {});
        } else if (name === "setval") {
          // setval(seq, max(id)) moves a sequence past the data (the safe repair); a constant can move it back.
          const args = (value as { args?: Node[] }).args ?? [];
          const sequence = constantText(args[0]);
          const to = constantText(args[1]);
          if (to !== undefined) {
            this.run.report(spot, rules.sequenceReset, `Sets sequence ${sequence ?? "(computed name)"} to ${to} with setval(), so ids already handed out can be issued again`, sequence !== undefined ? { object: sequence } : {});
          }
        }
      });
    }
    if (this.scope.depth === 0) this.run.noteStatement(this.source.slice(this.source.skipTrivia(start, end), end), spot, before);
  }
}

/** What a statement PostgreSQL refuses inside a transaction block is, or undefined for any other. */
function transactionRefused(kind: string, body: Record<string, unknown>): { what: string; object?: string; enumValue?: boolean } | undefined {
  const relation = (r: unknown) => (r ? rangeVarName(r as RangeVar) : undefined);
  const named = (what: string, object: string | undefined) => (object !== undefined ? { what: `${what} ${object}`, object } : { what });
  switch (kind) {
    case "IndexStmt":
      return body.concurrent ? named("CREATE INDEX CONCURRENTLY on", relation(body.relation)) : undefined;
    case "DropStmt":
      return body.concurrent ? { what: "DROP INDEX CONCURRENTLY" } : undefined;
    case "ReindexStmt":
      return defElems(body.params).some((d) => d.defname === "concurrently") ? named("REINDEX CONCURRENTLY of", relation(body.relation) ?? (body.name as string | undefined)) : undefined;
    case "VacuumStmt": {
      if (!body.is_vacuumcmd) return undefined;
      const first = (body.rels as { VacuumRelation?: { relation?: RangeVar } }[] | undefined)?.[0]?.VacuumRelation?.relation;
      const table = relation(first);
      return table !== undefined ? named("VACUUM of", table) : { what: "VACUUM" };
    }
    case "AlterEnumStmt":
      return body.oldVal === undefined && body.newVal !== undefined
        ? { what: `ALTER TYPE ${nameList(body.typeName as Node[])} ADD VALUE '${String(body.newVal)}'`, object: nameList(body.typeName as Node[]), enumValue: true }
        : undefined;
    case "AlterTableStmt": {
      const cmds = (body.cmds as { AlterTableCmd?: { subtype?: string; def?: { PartitionCmd?: { concurrent?: boolean; name?: RangeVar } } } }[] | undefined) ?? [];
      const detach = cmds.find((c) => c.AlterTableCmd?.subtype === "AT_DetachPartition" && c.AlterTableCmd.def?.PartitionCmd?.concurrent);
      return detach ? named("DETACH PARTITION CONCURRENTLY of", relation(detach.AlterTableCmd!.def!.PartitionCmd!.name)) : undefined;
    }
    default: {
      const what = REFUSED_IN_TRANSACTION[kind];
      if (what === undefined) return undefined;
      const name = body.dbname ?? body.tablespacename;
      return typeof name === "string" ? named(what, name) : { what };
    }
  }
}

/** Statements PostgreSQL refuses in a transaction block whatever their options, by kind. */
const REFUSED_IN_TRANSACTION: Readonly<Record<string, string>> = {
  CreatedbStmt: "CREATE DATABASE",
  DropdbStmt: "DROP DATABASE",
  CreateTableSpaceStmt: "CREATE TABLESPACE",
  DropTableSpaceStmt: "DROP TABLESPACE",
  AlterSystemStmt: "ALTER SYSTEM",
};

function lockedName(body: Record<string, unknown>): string | undefined {
  const first = (body.relations as { RangeVar?: RangeVar }[] | undefined)?.[0]?.RangeVar;
  return first ? rangeVarName(first) : undefined;
}

const KIND_LABELS: Record<string, string> = {
  OBJECT_MATVIEW: "materialized view",
  OBJECT_FOREIGN_TABLE: "foreign table",
  OBJECT_EVENT_TRIGGER: "event trigger",
  OBJECT_FDW: "foreign-data wrapper",
  OBJECT_FOREIGN_SERVER: "foreign server",
  OBJECT_STATISTIC_EXT: "statistics object",
  OBJECT_TSCONFIGURATION: "text search configuration",
  OBJECT_TSDICTIONARY: "text search dictionary",
  OBJECT_OPCLASS: "operator class",
  OBJECT_OPFAMILY: "operator family",
  OBJECT_ACCESS_METHOD: "access method",
};

function kindLabel(objectType: string | undefined): string {
  if (!objectType) return "object";
  return KIND_LABELS[objectType] ?? objectType.replace(/^OBJECT_/, "").toLowerCase().replace(/_/g, " ");
}

/** A check constraint's key in `Run.checks`, as the schema model keys its own. */
function checkId(table: string, name: string): string {
  return `${unqualified(table)}.${name.toLowerCase()}`;
}

/** The column of a `column IS NOT NULL` expression, as PostgreSQL names it. */
function nullTestColumn(expression: Node | undefined): string | undefined {
  const test = expression && "NullTest" in expression ? expression.NullTest : undefined;
  if (test?.nulltesttype !== "IS_NOT_NULL" || !test.arg || !("ColumnRef" in test.arg)) return undefined;
  const fields = test.arg.ColumnRef.fields ?? [];
  const only = fields.length === 1 ? fields[0] : undefined;
  return only && "String" in only ? only.String.sval : undefined;
}

const CASCADE_NOTE = " with CASCADE, which also drops everything that depends on it";

/** Reads one parsed statement and reports what it does. */
class StatementReader {
  private readonly run: Run;

  constructor(
    private readonly owner: SourceReader,
    private readonly spot: Spot,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.run = owner.run;
  }

  /** `on.table`: the table acted on, for the reporter's created-in-this-change judgement; `on.cascade`: CASCADE. */
  private report(rule: RuleMeta, message: string, object?: string, on: { table?: string; cascade?: boolean; severity?: Severity } = {}): void {
    this.run.report(this.spot, rule, message, { ...(object !== undefined ? { object } : {}), ...on });
  }

  /**
   * Statements PostgreSQL refuses inside a transaction block (and LOCK, which it refuses outside one),
   * judged against how the tool runs the migration and the BEGIN/COMMIT read so far.
   */
  private transactionMode(kind: string, body: Record<string, unknown>): void {
    const run = this.run;
    if (kind === "TransactionStmt") {
      const what = String(body.kind);
      if (what === "TRANS_STMT_BEGIN" || what === "TRANS_STMT_START") run.inTransaction = true;
      else if (what === "TRANS_STMT_COMMIT" || what === "TRANS_STMT_ROLLBACK" || what === "TRANS_STMT_PREPARE") {
        run.inTransaction = false;
        run.transactionEnds++;
        run.newEnumValues.length = 0;
      }
      return;
    }
    if (run.inTransaction === false && kind === "LockStmt") {
      this.report(rules.transactionConflict, "LOCK TABLE outside a transaction block fails (\"LOCK TABLE can only be used in transaction blocks\"), and this migration runs without one", lockedName(body));
      return;
    }
    if (run.inTransaction !== true) return;
    const where = run.context.transaction === "wrapped" ? "the migration tool runs this migration in a transaction" : "it runs inside BEGIN … COMMIT";
    if (run.newEnumValues.length > 0 && kind !== "AlterEnumStmt") {
      // From PostgreSQL 12 ADD VALUE may run in a transaction, but the value cannot be used before it commits.
      const text = this.owner.source.slice(this.start, this.end);
      for (const added of run.newEnumValues) {
        if (!text.includes(`'${added.value.replaceAll("'", "''")}'`)) continue;
        this.report(
          rules.transactionConflict,
          `Uses the enum value '${added.value}' that ALTER TYPE ${added.type} ADD VALUE added earlier in the same transaction; PostgreSQL refuses that ("unsafe use of new value") until the transaction commits, and ${where}`,
          added.type,
        );
      }
    }
    const refused = transactionRefused(kind, body);
    if (refused === undefined) return;
    if (refused.enumValue) {
      run.newEnumValues.push({ type: refused.object ?? "?", value: String(body.newVal) });
      // Only PostgreSQL 11 and older (out of support since 2023) refuse it outright: worth knowing, not gating.
      this.report(
        rules.transactionConflict,
        `${refused.what} inside a transaction fails on PostgreSQL 11 and older, and from 12 the new value cannot be used until the transaction commits; ${where}`,
        refused.object,
        { severity: "low" },
      );
    } else {
      this.report(rules.transactionConflict, `${refused.what} cannot run inside a transaction block, so the migration fails at deploy time; ${where}`, refused.object);
    }
  }

  /** Whether the statement runs as the migration runs: at the top level or in a DO block, not in a function or trigger body. */
  private runsNow(): boolean {
    return (this.owner.scope.depth === 0 && this.spot.prefix === this.owner.scope.prefix) || this.spot.prefix.endsWith("DO block: ");
  }

  /** Created earlier in this change, so nothing in it can be lost. */
  private isNew(table: string): boolean {
    return this.run.created.has(unqualified(table)) && !this.run.guarded(table);
  }

  /**
   * Also true for a table the schema model takes as new under IF NOT EXISTS: fine for locks and
   * indexes, not for losing rows (it may exist outside the migrations).
   */
  private isProbablyNew(table: string): boolean {
    return this.run.created.has(unqualified(table));
  }

  read(node: Node): void {
    const kind = Object.keys(node)[0] ?? "";
    const body = (node as Record<string, unknown>)[kind] as Record<string, unknown>;
    if (this.owner.scope.depth === 0) this.transactionMode(kind, body);
    switch (kind) {
      case "DropStmt":
        return this.drop(body);
      case "DropdbStmt":
        return this.report(rules.dropDatabase, `Drops database ${String(body.dbname)}`, String(body.dbname));
      case "TruncateStmt":
        return this.truncate(body);
      case "DeleteStmt":
      case "UpdateStmt":
        this.withClause(body);
        return this.dml(kind === "DeleteStmt", body);
      case "SelectStmt":
      case "InsertStmt":
        this.withClause(body);
        if (kind === "SelectStmt" && body.intoClause) this.created((body.intoClause as { rel?: RangeVar }).rel);
        return;
      case "AlterTableStmt":
        return this.alterTable(body);
      case "RenameStmt":
        return this.rename(body);
      case "AlterObjectSchemaStmt":
        return this.setSchema(body);
      case "AlterEnumStmt":
        if (body.oldVal !== undefined) {
          const type = nameList(body.typeName as Node[]);
          this.report(rules.rename, `Renames value '${String(body.oldVal)}' of enum ${type} to '${String(body.newVal)}'`, type);
        }
        return;
      case "IndexStmt":
        return this.createIndex(body);
      case "CreateStmt":
        if (!body.if_not_exists) this.created(body.relation as RangeVar);
        else if (body.relation) this.run.guardedCreate(rangeVarName(body.relation as RangeVar));
        return;
      case "CreateTableAsStmt": {
        const into = (body.into as { rel?: RangeVar }).rel;
        if (body.objtype === "OBJECT_MATVIEW") return;
        if (!body.if_not_exists) this.created(into);
        else if (into) this.run.guardedCreate(rangeVarName(into));
        return;
      }
      case "CreatePolicyStmt":
      case "AlterPolicyStmt":
        return this.policy(kind === "CreatePolicyStmt", body);
      case "GrantStmt":
        return this.grant(body as GrantStmt, "");
      case "AlterDefaultPrivilegesStmt":
        return this.grant(body.action as GrantStmt, " by default");
      case "GrantRoleStmt":
        return this.grantRole(body);
      case "CreateRoleStmt":
      case "AlterRoleStmt":
        return this.roleOptions(kind === "CreateRoleStmt" ? String(body.role) : roleName(body.role as RoleSpec), body.options as Node[] | undefined);
      case "DropRoleStmt":
        for (const role of (body.roles as Node[] | undefined) ?? []) {
          const name = roleName((role as { RoleSpec?: RoleSpec }).RoleSpec);
          this.report(rules.dropRole, `Drops role ${name}`, name);
        }
        return;
      case "DropOwnedStmt": {
        const roles = ((body.roles as Node[] | undefined) ?? []).map((r) => roleName((r as { RoleSpec?: RoleSpec }).RoleSpec)).join(", ");
        const cascade = body.behavior === "DROP_CASCADE";
        return this.report(rules.dropObject, `Drops every object owned by ${roles}${cascade ? CASCADE_NOTE : ""}`, roles, { cascade });
      }
      case "DropTableSpaceStmt":
        return this.report(rules.dropObject, `Drops tablespace ${String(body.tablespacename)}`, String(body.tablespacename));
      case "DropSubscriptionStmt":
        return this.report(rules.replication, `Drops subscription ${String(body.subname)}`, String(body.subname));
      case "AlterPublicationStmt":
        if (body.action === "AP_DropObjects" || body.action === "AP_SetObjects") {
          this.report(rules.replication, `Changes which tables publication ${String(body.pubname)} replicates`, String(body.pubname));
        }
        return;
      case "AlterSystemStmt": {
        const name = String((body.setstmt as { name?: string } | undefined)?.name ?? "a setting");
        return this.report(rules.replication, `Changes server setting ${name} with ALTER SYSTEM`, name);
      }
      case "VacuumStmt":
        return this.vacuum(body);
      case "ClusterStmt": {
        const table = body.relation ? rangeVarName(body.relation as RangeVar) : undefined;
        return this.report(rules.tableRewrite, `Runs CLUSTER on ${table ?? "every previously clustered table"}, rewriting it`, table);
      }
      case "ReindexStmt":
        return this.reindex(body);
      case "AlterSeqStmt":
        return this.sequenceOptions(`sequence ${rangeVarName(body.sequence as RangeVar)}`, rangeVarName(body.sequence as RangeVar), body.options);
      case "VariableSetStmt":
        if (String(body.name).toLowerCase() === "session_replication_role" && constantText((body.args as Node[] | undefined)?.[0])?.toLowerCase() === "replica") {
          this.report(rules.disableTriggers, "Sets session_replication_role = replica, which switches off triggers and foreign-key checks", "session_replication_role");
        }
        return;
      case "ExplainStmt":
        // EXPLAIN ANALYZE runs the statement.
        if (defElems(body.options).some((d) => d.defname === "analyze") && body.query) this.read(body.query as Node);
        return;
      case "PrepareStmt":
        // The statement runs at each EXECUTE; it is judged here, where its text is.
        this.run.prepared.add(String(body.name).toLowerCase());
        if (body.query) this.nested(`prepared statement ${String(body.name)}: `).read(body.query as Node);
        return;
      case "ExecuteStmt":
        if (!this.run.prepared.has(String(body.name).toLowerCase())) {
          this.report(rules.opaqueCode, `Executes prepared statement ${String(body.name)}, which is not prepared in this migration, so what it runs cannot be checked`, String(body.name));
        }
        return;
      case "MergeStmt":
        this.withClause(body);
        return this.merge(body);
      case "RuleStmt":
        return this.rule(body);
      case "CopyStmt":
        return this.copy(body);
      case "LockStmt":
        return this.lock(body);
      case "AlterOwnerStmt": {
        const name = body.relation ? rangeVarName(body.relation as RangeVar) : body.object ? objectName(body.object as Node) : "?";
        const owner = roleName(body.newowner as RoleSpec);
        return this.report(rules.ownerChange, `Makes ${owner} the owner of ${kindLabel(String(body.objectType))} ${name}`, name);
      }
      case "ReassignOwnedStmt": {
        const roles = ((body.roles as Node[] | undefined) ?? []).map((r) => roleName((r as { RoleSpec?: RoleSpec }).RoleSpec)).join(", ");
        return this.report(rules.ownerChange, `Hands every object owned by ${roles} to ${roleName(body.newrole as RoleSpec)}`, roles);
      }
      case "RefreshMatViewStmt": {
        if (body.concurrent) return;
        const view = rangeVarName(body.relation as RangeVar);
        return this.report(rules.tableLock, `Refreshes materialized view ${view} without CONCURRENTLY, blocking reads of it while it recomputes`, view);
      }
      case "CallStmt": {
        const name = lastName((body.funccall as { funcname?: Node[] } | undefined)?.funcname) ?? "?";
        if (this.run.routines.has(name.toLowerCase())) return;
        return this.report(rules.opaqueCode, `Calls procedure ${name}(), whose body is not in this migration, so what it does cannot be checked`, name);
      }
      case "LoadStmt":
        return this.report(rules.opaqueCode, `Loads the shared library ${String(body.filename)} into the server, whose code cannot be checked`, String(body.filename));
      case "AlterSubscriptionStmt":
        return this.alterSubscription(body);
      case "AlterDomainStmt":
        return this.alterDomain(body);
      case "AlterEventTrigStmt":
        if (body.tgenabled === "D") this.report(rules.disableTriggers, `Disables event trigger ${String(body.trigname)}`, String(body.trigname));
        return;
      case "CreateSchemaStmt":
        // CREATE SCHEMA … CREATE TABLE … GRANT …: each element is a statement of its own.
        for (const element of (body.schemaElts as Node[] | undefined) ?? []) this.read(element);
        return;
      case "DropUserMappingStmt": {
        const user = roleName(body.user as RoleSpec);
        return this.report(rules.dropObject, `Drops the user mapping of ${user} on server ${String(body.servername)}`, `${user}@${String(body.servername)}`);
      }
      case "AlterTableMoveAllStmt":
        return this.report(
          rules.tableRewrite,
          `Moves every ${kindLabel(String(body.objtype))} in tablespace ${String(body.orig_tablespacename)} to ${String(body.new_tablespacename)}, rewriting each under an exclusive lock`,
          String(body.orig_tablespacename),
        );
      case "DoStmt":
        return this.doBlock(body);
      case "CreateFunctionStmt":
        this.run.routines.add((lastName(body.funcname as Node[]) ?? "").toLowerCase());
        return this.createFunction(body);
      case "CreateTrigStmt":
        return this.recreatedTrigger(body);
      default:
        // A kind neither judged above nor reviewed as harmless (a newer parser's statement): a person reads it.
        if (!(kind in HARMLESS_STATEMENTS)) this.report(rules.unparsed, `changegate has no reading of ${kind} statements, so a person must judge this one`, kind);
        return;
    }
  }

  /** ALTER SEQUENCE and an identity column's SET/RESTART options. */
  private sequenceOptions(label: string, object: string, options: unknown): void {
    const elems = defElems(options);
    const restart = elems.find((d) => d.defname === "restart");
    if (restart) {
      const value = constantText(restart.arg);
      this.report(rules.sequenceReset, `Restarts ${label}${value !== undefined ? ` at ${value}` : ""}, so ids already handed out can be issued again`, object);
    }
    const changed = elems.filter((d) => d.defname !== undefined && SEQUENCE_VALUE_OPTIONS.has(d.defname)).map((d) => d.defname!.toUpperCase());
    if (changed.length > 0) this.report(rules.sequenceReset, `Changes ${changed.join(", ")} of ${label}, which changes which ids come next`, object, { severity: "medium" });
  }

  private merge(body: Record<string, unknown>): void {
    const target = body.relation ? rangeVarName(body.relation as RangeVar) : "?";
    if (this.isNew(target)) return;
    for (const item of (body.mergeWhenClauses as Node[] | undefined) ?? []) {
      const clause = (item as { MergeWhenClause?: { matchKind?: string; commandType?: string; condition?: unknown } }).MergeWhenClause;
      if (clause?.commandType !== "CMD_DELETE") continue;
      const which =
        clause.matchKind === "MERGE_WHEN_NOT_MATCHED_BY_SOURCE" ? "that the source does not list (WHEN NOT MATCHED BY SOURCE)" : "that the source matches (WHEN MATCHED)";
      this.report(rules.mergeDelete, `Deletes every row of ${target} ${which}${clause.condition ? " and the extra condition" : ""}`, target);
    }
  }

  private rule(body: Record<string, unknown>): void {
    const table = body.relation ? rangeVarName(body.relation as RangeVar) : "?";
    const name = String(body.rulename);
    const event = String(body.event ?? "").replace(/^CMD_/, "");
    const actions = (body.actions as Node[] | undefined) ?? [];
    if (body.instead && actions.length === 0) {
      // DO INSTEAD NOTHING: the statements the rule matches are silently discarded.
      this.report(rules.opaqueCode, `Creates rule ${name} so that every ${event} on ${table} is silently discarded (DO INSTEAD NOTHING)`, `${table}.${name}`, { severity: "high" });
      return;
    }
    const kinds = actions.map((a) => Object.keys(a)[0] ?? "").filter((k) => k === "DeleteStmt" || k === "UpdateStmt" || k === "InsertStmt");
    if (kinds.length > 0) {
      const verbs = [...new Set(kinds.map((k) => k.replace(/Stmt$/, "").toUpperCase()))].join(", ");
      this.report(
        rules.opaqueCode,
        `Creates rule ${name}: every ${event} on ${table} ${body.instead ? "instead" : "also"} runs ${verbs}, hidden from the code that writes to ${table}`,
        `${table}.${name}`,
        kinds.includes("DeleteStmt") || body.instead ? { severity: "high" } : {},
      );
    }
    for (const action of actions) this.nested(`rule ${name} on ${table}: `).read(action);
  }

  private copy(body: Record<string, unknown>): void {
    const table = body.relation ? rangeVarName(body.relation as RangeVar) : undefined;
    const what = table ?? "a query";
    if (body.query) this.nested("COPY query: ").read(body.query as Node);
    if (body.is_program) {
      const direction = body.is_from ? `into ${what} from` : `${what} to`;
      this.report(rules.opaqueCode, `COPY ${direction} PROGRAM '${String(body.filename ?? "")}' runs a shell command on the database server`, table, { severity: "high" });
    } else if (body.filename !== undefined && !body.is_from) {
      this.report(rules.opaqueCode, `COPY writes ${what} to the server file ${String(body.filename)}`, table);
    }
  }

  private lock(body: Record<string, unknown>): void {
    const mode = Number(body.mode ?? 8);
    if (mode < SHARE_LOCK) return;
    for (const relation of (body.relations as Node[] | undefined) ?? []) {
      const name = objectName(relation);
      if (this.isProbablyNew(name)) continue;
      const blocks = mode === ACCESS_EXCLUSIVE_LOCK ? "every read and write" : "every write";
      this.report(rules.tableLock, `Locks ${name} in ${LOCK_MODES[mode] ?? `mode ${mode}`} mode, blocking ${blocks} until the transaction ends`, name);
    }
  }

  private alterSubscription(body: Record<string, unknown>): void {
    const name = String(body.subname);
    const disabled = body.kind === "ALTER_SUBSCRIPTION_ENABLED" && defElems(body.options).some((d) => d.defname === "enabled" && constantText(d.arg) === "false");
    if (disabled) this.report(rules.replication, `Disables subscription ${name}, so changes stop arriving`, name);
    else if (body.kind === "ALTER_SUBSCRIPTION_SET_PUBLICATION" || body.kind === "ALTER_SUBSCRIPTION_DROP_PUBLICATION") {
      this.report(rules.replication, `Changes which publications subscription ${name} receives`, name);
    }
  }

  private alterDomain(body: Record<string, unknown>): void {
    const domain = nameList(body.typeName as Node[]);
    switch (body.subtype) {
      case "T":
        if (body.def === undefined) this.report(rules.dropDefault, `Drops the default of domain ${domain}`, domain);
        return;
      case "X":
        this.report(rules.dropConstraint, `Drops constraint ${String(body.name)} of domain ${domain}`, domain);
        return;
      case "O":
        this.report(rules.notNull, `Sets domain ${domain} NOT NULL, checking every column of that type`, domain);
        return;
      default:
        return;
    }
  }

  /**
   * CREATE TRIGGER of a trigger this text dropped before it (the usual `DROP TRIGGER IF EXISTS t ON x;
   * CREATE TRIGGER t …` of a migration that changes a trigger): the drop replaces the trigger rather
   * than removing it, so its finding is lowered to low and says where it is recreated.
   */
  private recreatedTrigger(body: Record<string, unknown>): void {
    const relation = body.relation as RangeVar | undefined;
    if (!relation?.relname || typeof body.trigname !== "string") return;
    const key = `${relation.relname}.${body.trigname}`.toLowerCase();
    const line = this.spot.line;
    for (const f of this.run.findings) {
      if (f.rule !== rules.dropObject.id || f.rollback || f.line > line || f.object === undefined || !f.message.includes("Drops trigger ")) continue;
      const dropped = f.object.toLowerCase().replaceAll('"', "");
      if (dropped !== key && !dropped.endsWith(`.${key}`)) continue;
      if (f.severity === "low") continue;
      f.severity = "low";
      f.message += `; recreated by CREATE TRIGGER at line ${line} of the same migration, so this replaces the trigger`;
    }
  }

  private created(relation: RangeVar | undefined): void {
    if (relation?.relname) this.run.created.add(relation.relname.toLowerCase());
  }

  private withClause(body: Record<string, unknown>): void {
    const ctes = (body.withClause as { ctes?: Node[] } | undefined)?.ctes ?? [];
    for (const cte of ctes) {
      const query = (cte as { CommonTableExpr?: { ctequery?: Node } }).CommonTableExpr?.ctequery;
      if (query && ("DeleteStmt" in query || "UpdateStmt" in query)) this.read(query);
    }
  }

  private drop(body: Record<string, unknown>): void {
    const type = String(body.removeType);
    const cascade = body.behavior === "DROP_CASCADE";
    const cascadeNote = cascade ? CASCADE_NOTE : "";
    for (const object of (body.objects as Node[] | undefined) ?? []) {
      const name = objectName(object);
      switch (type) {
        case "OBJECT_TABLE":
          if (this.isNew(name)) {
            this.run.created.delete(unqualified(name));
            continue;
          }
          this.report(rules.dropTable, `Drops table ${name}${cascadeNote}`, name);
          break;
        case "OBJECT_SCHEMA":
          this.report(rules.dropSchema, `Drops schema ${name}${cascade ? " with CASCADE, which drops every table, view and function in it" : ""}`, name);
          break;
        case "OBJECT_INDEX":
          this.report(
            rules.dropIndex,
            `Drops index ${name}${body.concurrent ? " concurrently" : " without CONCURRENTLY"}${cascadeNote}`,
            name,
            { cascade },
          );
          break;
        case "OBJECT_POLICY":
          this.report(rules.disableRls, `Drops row-level security policy ${lastPart(name)} on ${parentPart(name)}${cascadeNote}`, name);
          break;
        case "OBJECT_PUBLICATION":
          this.report(rules.replication, `Drops publication ${name}${cascadeNote}`, name);
          break;
        case "OBJECT_TRIGGER":
        case "OBJECT_RULE":
          this.report(rules.dropObject, `Drops ${kindLabel(type)} ${lastPart(name)} on ${parentPart(name)}${cascadeNote}`, name, { cascade });
          break;
        default:
          this.report(rules.dropObject, `Drops ${kindLabel(type)} ${name}${cascadeNote}`, name, { cascade });
      }
    }
  }

  private truncate(body: Record<string, unknown>): void {
    const cascade = body.behavior === "DROP_CASCADE";
    for (const relation of (body.relations as Node[] | undefined) ?? []) {
      const name = objectName(relation);
      const identity = body.restart_seqs ? " and restarts its identity sequences" : "";
      this.report(rules.truncate, `Empties table ${name}${identity}${cascade ? " with CASCADE, which also empties every table that references it" : ""}`, name, { table: name });
    }
  }

  private dml(isDelete: boolean, body: Record<string, unknown>): void {
    const relation = body.relation as RangeVar | undefined;
    if (!relation) return;
    const name = rangeVarName(relation);
    const where = body.whereClause as Node | undefined;
    let why: string;
    if (!where) why = "no WHERE clause";
    else if (alwaysTrue(where, 0)) why = "its WHERE clause is always true";
    else {
      // A bounded DELETE still removes production rows; one in a function or trigger body runs later, elsewhere.
      const runsNow = this.runsNow();
      if (isDelete && runsNow) {
        const clause = whereText(this.owner.source.slice(this.start, this.end)) ?? "(a WHERE clause)";
        this.report(rules.deleteRows, `Deletes the rows of ${name} WHERE ${clause}`, name, { table: name });
      }
      if (!isDelete && runsNow) this.overwrites(name, body, where);
      return;
    }
    if (isDelete) this.report(rules.deleteAllRows, `Deletes every row of ${name} (${why})`, name, { table: name });
    else this.report(rules.updateAllRows, `Updates every row of ${name} (${why})`, name, { table: name });
  }

  /**
   * A bounded UPDATE of columns the schema model knows held data at base: the values it replaces are
   * lost, unless the new value is computed from the old one, only rows without a value (`col IS NULL`)
   * are written, or an earlier statement of the text copied the column.
   */
  private overwrites(table: string, body: Record<string, unknown>, where: Node): void {
    const model = this.run.context.schema;
    const targets = ((body.targetList as Node[] | undefined) ?? []).map((t) => (t as { ResTarget?: { name?: string; val?: Node } }).ResTarget).filter((t) => t?.name !== undefined);
    // A column read into another one is kept: a later UPDATE of it loses nothing.
    for (const target of targets) for (const column of columnRefs(target!.val)) if (column !== target!.name!.toLowerCase()) this.run.copied.add(`${unqualified(table)}.${column}`);
    if (!model || this.isNew(table)) return;
    const lost = targets
      .map((t) => t!.name!)
      .filter((column) => {
        const state = model.column(table, column);
        if (state?.origin !== "base") return false;
        const key = column.toLowerCase();
        const target = targets.find((t) => t!.name!.toLowerCase() === key)!;
        return !columnRefs(target.val).includes(key) && !onlyNull(where, key) && !this.run.copied.has(`${unqualified(table)}.${key}`);
      });
    if (lost.length === 0) return;
    const clause = whereText(this.owner.source.slice(this.start, this.end)) ?? "(a WHERE clause)";
    const columns = lost.map((c) => `${table}.${c}`).join(", ");
    this.report(rules.updateRows, `Overwrites ${columns} in the rows of ${table} WHERE ${clause}; the values before are not kept`, table, { table });
  }

  private alterTable(body: Record<string, unknown>): void {
    const relation = body.relation as RangeVar | undefined;
    if (!relation) return;
    const table = rangeVarName(relation);
    const isNew = this.isNew(table);
    for (const item of (body.cmds as Node[] | undefined) ?? []) {
      const cmd = (item as { AlterTableCmd?: AlterTableCmd }).AlterTableCmd;
      if (cmd) this.alterTableCmd(table, isNew, cmd);
    }
  }

  private alterTableCmd(table: string, isNew: boolean, cmd: AlterTableCmd): void {
    const cascade = cmd.behavior === "DROP_CASCADE";
    const column = cmd.name !== undefined ? `${table}.${cmd.name}` : table;
    switch (cmd.subtype) {
      case "AT_DropColumn": {
        const dropped = this.run.report(this.spot, rules.dropColumn, `Drops column ${column}${cascade ? CASCADE_NOTE : ""}`, { object: column, table, cascade });
        if (dropped) this.run.droppedColumn(table, cmd.name ?? "", dropped);
        return;
      }
      case "AT_AddColumn": {
        const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
        if (def) this.addColumn(table, isNew, def);
        return;
      }
      case "AT_AlterColumnType": {
        const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
        const type = typeText(def?.typeName);
        const using = def?.raw_default ? " with a USING conversion" : "";
        const model = this.run.context.schema;
        const before = model?.trusted && !isNew ? model.column(table, cmd.name ?? "") : undefined;
        if (before && before.type !== "") {
          // The model knows the type it had: say what changes, and a change that keeps every value is no data loss.
          const change = describeTypeChange(before.type, type);
          if (change.verdict === "same" && !using) return;
          const severity = change.verdict === "widens" && !using ? { severity: "medium" as const } : {};
          // With USING, the expression makes every new value, whatever the two types allow.
          const effect = using ? "every value is converted by the USING expression, and one that does not convert makes it fail" : change.effect;
          this.report(rules.columnTypeChange, `Changes the type of ${column} ${change.text}${using}, rewriting the table; ${effect}`, column, { table, ...severity });
          return;
        }
        const unknown = model && model.files > 0 && !isNew ? `; its type before is not known (${model.whyColumnUnknown(table)})` : "";
        this.report(rules.columnTypeChange, `Changes the type of ${column} to ${type}${using}, rewriting the table${unknown}`, column, { table });
        return;
      }
      case "AT_SetNotNull": {
        const runsNow = this.runsNow();
        const proof = runsNow ? this.notNullProof(table, cmd.name ?? "") : "";
        if (runsNow) this.run.nullability.set(`${unqualified(table)}.${cmd.name ?? ""}`, true);
        if (proof === true) return;
        this.report(rules.notNull, `Sets ${column} NOT NULL, scanning the whole table under an exclusive lock${proof}`, column, { table });
        return;
      }
      case "AT_DropNotNull":
        // Relaxes a constraint (readers may see NULLs later): no finding, but a NOT NULL check dropped after it matters again.
        if (this.runsNow()) this.run.nullability.set(`${unqualified(table)}.${cmd.name ?? ""}`, false);
        return;
      case "AT_AddConstraint": {
        const constraint = (cmd.def as { Constraint?: Constraint } | undefined)?.Constraint;
        if (constraint?.contype === "CONSTR_CHECK" && this.runsNow()) this.addedCheck(table, constraint);
        if (constraint && !isNew) this.constraint(table, constraint);
        return;
      }
      case "AT_ValidateConstraint":
        // The safe second step of a NOT VALID constraint: no finding, and a valid check lets SET NOT NULL skip its scan.
        if (this.runsNow()) this.validatedCheck(table, cmd.name ?? "");
        return;
      case "AT_DropConstraint": {
        if (this.runsNow()) {
          const redundant = this.redundantCheck(table, cmd.name ?? "");
          const id = checkId(table, cmd.name ?? "");
          this.run.checks.delete(id);
          this.run.droppedChecks.add(id);
          // Still reported (every drop is), low: nothing is lost.
          if (redundant) {
            this.report(rules.dropConstraint, `Drops constraint ${String(cmd.name)} on ${table}, a CHECK (… IS NOT NULL) on a column that is NOT NULL now: the column enforces what it did`, column, { table, severity: "low" });
            return;
          }
        }
        this.report(rules.dropConstraint, `Drops constraint ${String(cmd.name)} on ${table}${cascade ? CASCADE_NOTE : ""}`, column, { table, cascade });
        return;
      }
      case "AT_DisableRowSecurity":
        this.report(rules.disableRls, `Disables row-level security on ${table}`, table);
        return;
      case "AT_NoForceRowSecurity":
        this.report(rules.disableRls, `Stops forcing row-level security on ${table}, so its owner bypasses the policies again`, table);
        return;
      case "AT_DisableTrig":
      case "AT_DisableTrigAll":
      case "AT_DisableTrigUser": {
        const which = cmd.subtype === "AT_DisableTrigAll" ? "all triggers (including foreign-key enforcement)" : cmd.subtype === "AT_DisableTrigUser" ? "all user triggers" : `trigger ${String(cmd.name)}`;
        this.report(rules.disableTriggers, `Disables ${which} on ${table}`, cmd.subtype === "AT_DisableTrig" ? column : table);
        return;
      }
      case "AT_SetUnLogged":
        this.report(rules.tableRewrite, `Makes ${table} UNLOGGED: the table is rewritten, and afterwards not crash-safe or replicated`, table);
        return;
      case "AT_SetLogged":
        if (!isNew) this.report(rules.tableRewrite, `Makes ${table} LOGGED, rewriting it`, table);
        return;
      case "AT_SetTableSpace":
        if (!isNew) this.report(rules.tableRewrite, `Moves ${table} to tablespace ${String(cmd.name)}, rewriting it`, table);
        return;
      case "AT_SetAccessMethod":
        if (!isNew) this.report(rules.tableRewrite, `Changes the access method of ${table}, rewriting it`, table);
        return;
      case "AT_SetExpression":
        if (!isNew) this.report(rules.tableRewrite, `Changes the generation expression of ${column}, rewriting every row`, column);
        return;
      case "AT_DropExpression":
        if (!isNew) this.report(rules.dropExpression, `Stops computing generated column ${column}; its values go stale from now on`, column);
        return;
      case "AT_DropIdentity":
        if (!isNew) this.report(rules.identityChange, `Drops the identity of ${column}, so inserts that leave it out no longer get an id`, column);
        return;
      case "AT_AddIdentity":
        if (!isNew) this.report(rules.identityChange, `Makes existing column ${column} an identity column, which changes which inserts are accepted`, column, { severity: "medium" });
        return;
      case "AT_SetIdentity": {
        if (isNew) return;
        const options = (cmd.def as { List?: { items?: Node[] } } | undefined)?.List?.items;
        const generated = defElems(options).find((d) => d.defname === "generated");
        if (generated) {
          const always = Number((generated.arg as { Integer?: { ival?: number } } | undefined)?.Integer?.ival) === 97;
          this.report(rules.identityChange, `Makes identity ${column} GENERATED ${always ? "ALWAYS, so inserts that supply an id fail" : "BY DEFAULT"}`, column, always ? {} : { severity: "medium" });
        }
        this.sequenceOptions(`the identity of ${column}`, column, options);
        return;
      }
      case "AT_ColumnDefault":
        if (!isNew && cmd.def === undefined) this.report(rules.dropDefault, `Drops the default of ${column}, so inserts that leave it out store NULL or fail`, column);
        return;
      case "AT_DetachPartition":
      case "AT_DetachPartitionFinalize": {
        const partition = (cmd.def as { PartitionCmd?: { name?: RangeVar; concurrent?: boolean } } | undefined)?.PartitionCmd;
        const name = partition?.name ? rangeVarName(partition.name) : "?";
        const how = cmd.subtype === "AT_DetachPartitionFinalize" ? " (FINALIZE)" : partition?.concurrent ? " concurrently" : " under an ACCESS EXCLUSIVE lock";
        this.report(rules.detachPartition, `Detaches partition ${name} from ${table}${how}: its rows leave the table`, name);
        return;
      }
      case "AT_DropInherit": {
        const parent = (cmd.def as { RangeVar?: RangeVar } | undefined)?.RangeVar;
        if (!isNew) this.report(rules.detachPartition, `Removes ${table} from the inheritance tree of ${parent ? rangeVarName(parent) : "its parent"} (NO INHERIT): its rows leave the parent's queries`, table);
        return;
      }
      case "AT_ReplicaIdentity": {
        const identity = (cmd.def as { ReplicaIdentityStmt?: { identity_type?: string } } | undefined)?.ReplicaIdentityStmt?.identity_type;
        if (identity === "n") this.report(rules.replication, `Sets REPLICA IDENTITY NOTHING on ${table}: logical replication can no longer send its updates and deletes`, table);
        return;
      }
      case "AT_ChangeOwner":
        this.report(rules.ownerChange, `Makes ${roleName(cmd.newowner)} the owner of ${table}`, table);
        return;
      case "AT_DisableRule":
        this.report(rules.disableTriggers, `Disables rule ${String(cmd.name)} on ${table}`, column);
        return;
      default:
        if (!(String(cmd.subtype) in HARMLESS_ALTER_TABLE)) {
          this.report(rules.unparsed, `changegate has no reading of ALTER TABLE ${String(cmd.subtype)}, so a person must judge it`, column);
        }
        return;
    }
  }

  /**
   * Whether a valid `CHECK (column IS NOT NULL)` lets SET NOT NULL skip its scan (PostgreSQL 12+): true,
   * or what the message adds when it does not. The check counts when this text validated it in a later
   * transaction than the one that added it, or when the schema model has it valid from before this text.
   */
  private notNullProof(table: string, column: string): true | string {
    const key = unqualified(table);
    let sameTransaction = false;
    for (const [id, check] of this.run.checks) {
      if (!id.startsWith(`${key}.`) || check.notNullOf !== column || !check.validated) continue;
      if (check.apart) return true;
      sameTransaction = true;
    }
    const known = this.run.context.schema?.notNullCheck(table, column);
    if (known && !this.run.droppedChecks.has(checkId(table, known.name)) && !this.run.checks.has(checkId(table, known.name))) return true;
    return sameTransaction
      ? `; its CHECK (${column} IS NOT NULL) is added NOT VALID and validated in the same transaction, so VALIDATE scans the table under the lock ADD CONSTRAINT took`
      : "";
  }

  private addedCheck(table: string, constraint: Constraint): void {
    const id = checkId(table, constraint.conname ?? `(unnamed at ${this.start})`);
    // A NOT ENFORCED check proves nothing; a NO INHERIT one says nothing of the child tables SET NOT NULL also scans.
    const column = constraint.is_enforced !== false && !constraint.is_no_inherit ? nullTestColumn(constraint.raw_expr) : undefined;
    const validated = !constraint.skip_validation;
    this.run.checks.set(id, {
      ...(column !== undefined ? { notNullOf: column } : {}),
      validated,
      apart: validated,
      addedAt: this.run.transactionEnds,
      // A DO block is one statement: what it adds and validates runs in one transaction.
      addedAlone: this.run.inTransaction === false && this.owner.scope.depth === 0,
    });
    this.run.droppedChecks.delete(id);
  }

  private validatedCheck(table: string, name: string): void {
    const id = checkId(table, name);
    const local = this.run.checks.get(id);
    if (local) {
      if (!local.validated) {
        local.validated = true;
        local.apart = local.addedAlone || this.run.transactionEnds > local.addedAt;
      }
      return;
    }
    // Added by an earlier migration: its own transaction has ended.
    const known = this.run.droppedChecks.has(id) ? undefined : this.run.context.schema?.check(table, name);
    if (known) this.run.checks.set(id, { ...(known.notNullOf !== undefined ? { notNullOf: known.notNullOf } : {}), validated: true, apart: true, addedAt: -1, addedAlone: true });
  }

  /**
   * DROP CONSTRAINT of a `CHECK (column IS NOT NULL)` whose column is NOT NULL by now: the last step of
   * the safe NOT NULL pattern, and the column enforces all that the check did.
   */
  private redundantCheck(table: string, name: string): boolean {
    const id = checkId(table, name);
    const model = this.run.context.schema;
    const check = this.run.checks.get(id) ?? (this.run.droppedChecks.has(id) ? undefined : model?.check(table, name));
    if (!check?.notNullOf) return false;
    const here = this.run.nullability.get(`${unqualified(table)}.${check.notNullOf}`);
    if (here !== undefined) return here;
    const known = model?.trusted ? model.column(table, check.notNullOf) : undefined;
    return known !== undefined && !known.nullable;
  }

  private addColumn(table: string, isNew: boolean, def: ColumnDef): void {
    const column = `${table}.${def.colname ?? "?"}`;
    if (!isNew) this.run.addedColumn(table, def.colname ?? "?");
    if (isNew) return;
    const constraints = (def.constraints ?? []).map((c) => (c as { Constraint?: Constraint }).Constraint).filter((c): c is Constraint => c !== undefined);
    const has = (type: string) => constraints.some((c) => c.contype === type);
    const defaultExpr = constraints.find((c) => c.contype === "CONSTR_DEFAULT")?.raw_expr;
    const typeName = lastName(def.typeName?.names) ?? "";
    const serial = /^(small|big)?serial[248]?$/.test(typeName);
    const identity = has("CONSTR_IDENTITY");
    const stored = constraints.some((c) => c.contype === "CONSTR_GENERATED");
    if ((has("CONSTR_NOTNULL") || has("CONSTR_PRIMARY")) && !defaultExpr && !identity && !stored && !serial) {
      this.report(rules.notNull, `Adds NOT NULL column ${column} without a default to an existing table`, column);
    }
    const volatile = defaultExpr ? volatileCall(defaultExpr) : undefined;
    if (serial || identity || stored || volatile) {
      const what = serial
        ? `a ${typeName} (sequence) default`
        : identity
          ? "an identity"
          : stored
            ? "a stored generated value"
            : VOLATILE.has(volatile!)
              ? `a volatile default (${volatile}())`
              : `a default calling ${volatile}() (volatile unless declared otherwise)`;
      this.report(rules.tableRewrite, `Adds column ${column} with ${what}, which rewrites every row`, column);
    }
    for (const constraint of constraints) this.constraint(table, constraint, column);
  }

  private constraint(table: string, constraint: Constraint, column?: string): void {
    const name = constraint.conname ?? "(unnamed)";
    switch (constraint.contype) {
      case "CONSTR_FOREIGN":
      case "CONSTR_CHECK":
        if (!constraint.skip_validation) {
          const label = constraint.contype === "CONSTR_FOREIGN" ? "foreign key" : "check constraint";
          this.report(rules.validatingConstraint, `Adds ${label} ${name} on ${column ?? table} without NOT VALID, checking every row under a lock`, column ?? table);
        }
        return;
      case "CONSTR_PRIMARY":
      case "CONSTR_UNIQUE":
      case "CONSTR_EXCLUSION":
        if (!constraint.indexname) {
          const label = constraint.contype === "CONSTR_PRIMARY" ? "primary key" : constraint.contype === "CONSTR_UNIQUE" ? "unique constraint" : "exclusion constraint";
          this.report(rules.blockingIndex, `Adds ${label} ${name} on ${column ?? table}, building its index while writes are blocked`, column ?? table);
        }
        return;
      case "CONSTR_NOTNULL":
        if (!column && !constraint.skip_validation) this.report(rules.notNull, `Adds NOT NULL constraint ${name} on ${table}, scanning the whole table`, table);
        return;
      default:
        return;
    }
  }

  private rename(body: Record<string, unknown>): void {
    const type = String(body.renameType);
    const relation = body.relation as RangeVar | undefined;
    const table = relation ? rangeVarName(relation) : undefined;
    const newName = String(body.newname);
    switch (type) {
      case "OBJECT_TABLE":
      case "OBJECT_VIEW":
      case "OBJECT_MATVIEW":
      case "OBJECT_FOREIGN_TABLE":
      case "OBJECT_SEQUENCE":
        if (table && !this.isNew(table)) this.report(rules.rename, `Renames ${kindLabel(type)} ${table} to ${newName}`, table);
        return;
      case "OBJECT_COLUMN":
      case "OBJECT_ATTRIBUTE": {
        const owner = table ?? (body.object ? objectName(body.object as Node) : "?");
        if (table && this.isNew(table)) return;
        const column = `${owner}.${String(body.subname)}`;
        this.report(rules.rename, `Renames column ${column} to ${newName}`, column);
        return;
      }
      case "OBJECT_SCHEMA":
      case "OBJECT_DATABASE":
        this.report(rules.rename, `Renames ${kindLabel(type)} ${String(body.subname)} to ${newName}`, String(body.subname));
        return;
      case "OBJECT_TYPE":
      case "OBJECT_DOMAIN":
      case "OBJECT_FUNCTION":
      case "OBJECT_PROCEDURE": {
        const name = body.object ? objectName(body.object as Node) : "?";
        this.report(rules.rename, `Renames ${kindLabel(type)} ${name} to ${newName}`, name);
        return;
      }
      default:
        return;
    }
  }

  private setSchema(body: Record<string, unknown>): void {
    const type = String(body.objectType);
    const relation = body.relation as RangeVar | undefined;
    const name = relation ? rangeVarName(relation) : body.object ? objectName(body.object as Node) : "?";
    if (relation && this.isNew(name)) return;
    this.report(rules.rename, `Moves ${kindLabel(type)} ${name} to schema ${String(body.newschema)}`, name);
  }

  private createIndex(body: Record<string, unknown>): void {
    const relation = body.relation as RangeVar | undefined;
    if (!relation || body.concurrent) return;
    const table = rangeVarName(relation);
    if (this.isProbablyNew(table)) return;
    const index = body.idxname ? String(body.idxname) : "(unnamed)";
    this.report(rules.blockingIndex, `Creates ${body.unique ? "unique " : ""}index ${index} on ${table} without CONCURRENTLY, blocking writes while it builds`, table);
  }

  private policy(create: boolean, body: Record<string, unknown>): void {
    const table = body.table ? rangeVarName(body.table as RangeVar) : "?";
    const name = String(body.policy_name);
    const open = [body.qual, body.with_check].some((expr) => expr !== undefined && alwaysTrue(expr as Node, 0));
    if (open) {
      this.report(rules.disableRls, `${create ? "Creates" : "Changes"} policy ${name} on ${table} so that it lets every row through (always true)`, `${table}.${name}`);
    }
  }

  private grant(stmt: GrantStmt | undefined, suffix: string): void {
    if (!stmt) return;
    const privileges = stmt.privileges?.length
      ? stmt.privileges.map((p) => String((p as { AccessPriv?: { priv_name?: string } }).AccessPriv?.priv_name ?? "ALL").toUpperCase()).join(", ")
      : "ALL";
    const names = (stmt.objects ?? []).map(objectName).join(", ");
    const kind = kindLabel(stmt.objtype);
    const target =
      stmt.targtype === "ACL_TARGET_ALL_IN_SCHEMA"
        ? `all ${kind}s in schema ${names}`
        : stmt.targtype === "ACL_TARGET_DEFAULTS"
          ? `future ${kind}s`
          : `${kind} ${names}`;
    const grantees = (stmt.grantees ?? []).map((g) => roleName((g as { RoleSpec?: RoleSpec }).RoleSpec));
    const to = grantees.join(", ");
    const object = names || target;
    if (stmt.is_grant) {
      if (privileges === "ALL" || grantees.includes("PUBLIC")) {
        this.report(rules.privilegeGrant, `Grants ${privileges} on ${target} to ${to}${suffix}`, object);
      }
    } else {
      // A table created earlier in the same change has only the privileges this change gave it: revoking
      // them (the usual REVOKE ALL … FROM anon right after CREATE TABLE) takes nothing away.
      const tables = (stmt.objects ?? []).map(objectName);
      const onNew = stmt.objtype === "OBJECT_TABLE" && stmt.targtype === "ACL_TARGET_OBJECT" && tables.length > 0 && tables.every((t) => this.isNew(t));
      this.report(rules.dropRole, `Revokes ${privileges} on ${target} from ${to}${suffix}`, object, onNew ? { table: tables[0]! } : {});
    }
  }

  private grantRole(body: Record<string, unknown>): void {
    const roles = ((body.granted_roles as Node[] | undefined) ?? []).map((r) => String((r as { AccessPriv?: { priv_name?: string } }).AccessPriv?.priv_name ?? "?"));
    const grantees = ((body.grantee_roles as Node[] | undefined) ?? []).map((g) => roleName((g as { RoleSpec?: RoleSpec }).RoleSpec)).join(", ");
    if (!body.is_grant) {
      this.report(rules.dropRole, `Revokes membership in ${roles.join(", ")} from ${grantees}`, roles.join(", "));
      return;
    }
    const admin = defElems(body.opt).some((d) => d.defname === "admin" && constantText(d.arg) !== "false");
    const powerful = roles.filter((r) => POWERFUL_ROLES.test(r));
    if (powerful.length > 0 || admin || grantees.includes("PUBLIC")) {
      this.report(rules.privilegeGrant, `Grants ${roles.join(", ")} to ${grantees}${admin ? " WITH ADMIN OPTION" : ""}`, roles.join(", "));
    }
  }

  private roleOptions(role: string, options: Node[] | undefined): void {
    const elevated: string[] = [];
    for (const option of defElems(options)) {
      const on = option.arg === undefined || constantText(option.arg) === "true";
      if (option.defname && ROLE_POWERS[option.defname] && on) elevated.push(ROLE_POWERS[option.defname]!);
      if (option.defname === "password" && option.arg && "String" in option.arg) {
        this.report(rules.privilegeGrant, `Sets a literal password for role ${role} in the migration`, role);
      }
    }
    if (elevated.length > 0) this.report(rules.privilegeGrant, `Gives role ${role} ${elevated.join(", ")}`, role);
  }

  private vacuum(body: Record<string, unknown>): void {
    if (!defElems(body.options).some((d) => d.defname === "full")) return;
    const rels = ((body.rels as Node[] | undefined) ?? [])
      .map((r) => (r as { VacuumRelation?: { relation?: RangeVar } }).VacuumRelation?.relation)
      .filter((r): r is RangeVar => r !== undefined)
      .map(rangeVarName);
    const target = rels.length > 0 ? rels.join(", ") : "every table in the database";
    this.report(rules.tableRewrite, `Runs VACUUM FULL on ${target}, rewriting it under an exclusive lock`, rels.length > 0 ? rels.join(", ") : undefined);
  }

  private reindex(body: Record<string, unknown>): void {
    if (defElems(body.params).some((d) => d.defname === "concurrently")) return;
    const name = body.relation ? rangeVarName(body.relation as RangeVar) : String(body.name ?? "");
    const kind = String(body.kind ?? "").replace(/^REINDEX_OBJECT_/, "").toLowerCase();
    this.report(rules.tableRewrite, `Rebuilds ${kind} ${name} without CONCURRENTLY, blocking writes meanwhile`.replace("  ", " "), name || undefined);
  }

  // Procedural code -------------------------------------------------------------------------------

  private doBlock(body: Record<string, unknown>): void {
    const args = defElems(body.args);
    const language = constantText(args.find((d) => d.defname === "language")?.arg)?.toLowerCase() ?? "plpgsql";
    const code = constantText(args.find((d) => d.defname === "as")?.arg) ?? "";
    if (language !== "plpgsql") {
      this.report(rules.opaqueCode, `Runs a DO block in ${language}, whose code is not analysed`);
      return;
    }
    this.plpgsql(code, "DO block: ", "DO block");
  }

  private createFunction(body: Record<string, unknown>): void {
    const name = `${nameList(body.funcname as Node[])}()`;
    const options = defElems(body.options);
    const language = constantText(options.find((d) => d.defname === "language")?.arg)?.toLowerCase() ?? "sql";
    const kind = body.is_procedure ? "procedure" : "function";
    const prefix = `${kind} ${name}: `;
    if (body.sql_body) {
      walkStatements(body.sql_body as Node, (stmt) => this.nested(prefix).read(stmt));
      return;
    }
    const as = options.find((d) => d.defname === "as")?.arg;
    const code = constantText(as) ?? constantText((as as { List?: { items?: Node[] } } | undefined)?.List?.items?.[0]) ?? "";
    if (language === "sql") {
      let error: string | undefined;
      try {
        if (code.trim() !== "") parseSync(code);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (error === undefined) this.embedded(code, prefix, `${kind} ${name}`);
      else this.unreadableBody(code, `${kind} ${name}`, this.codeLine(code), error);
    } else if (language === "plpgsql") {
      this.plpgsql(code, prefix, `${kind} ${name}`);
    } else if (language !== "internal") {
      this.report(rules.opaqueCode, `Creates ${kind} ${name} in ${language}, whose body is not analysed`, name);
    }
  }

  /** A reader for statements that share this statement's lines (SQL-standard function bodies). */
  private nested(prefix: string): StatementReader {
    return new StatementReader(this.owner, { ...this.spot, prefix: this.spot.prefix + prefix }, this.start, this.end);
  }

  /** Line at which `code` (a string constant of this statement) starts, found in the statement's bytes. */
  private codeLine(code: string): number {
    const source = this.owner.source;
    const needle = Buffer.from(code, "utf8");
    const at = needle.length > 0 ? source.bytes.subarray(this.start, this.end).indexOf(needle) : -1;
    return at === -1 ? this.spot.line : source.lineAt(this.start + at);
  }

  /** Plain SQL found inside this statement, analysed with every rule at its own lines. */
  private embedded(code: string, prefix: string, label: string, line = this.codeLine(code)): void {
    if (this.owner.scope.depth >= MAX_EMBEDDING) {
      this.report(rules.opaqueCode, `${label} nests code too deeply to follow`);
      return;
    }
    analyzePostgres(this.run, new SqlSource(code, line), {
      prefix: this.spot.prefix + prefix,
      depth: this.owner.scope.depth + 1,
      ...(this.spot.ack !== undefined ? { ack: this.spot.ack } : {}),
    });
  }

  private plpgsql(code: string, prefix: string, label: string): void {
    const bodyLine = this.codeLine(code);
    const text = this.owner.source.slice(this.owner.source.skipTrivia(this.start, this.end), this.end);
    let tree: unknown;
    try {
      tree = parsePlPgSQLSync(text);
    } catch (e) {
      this.unreadableBody(code, label, bodyLine, e instanceof Error ? e.message : String(e));
      return;
    }
    walk(tree, (kind, value) => {
      const stmt = value as { lineno?: number; sqlstmt?: unknown; query?: unknown; expr?: unknown; dynquery?: unknown };
      const line = bodyLine + Math.max(0, (stmt.lineno ?? 1) - 1);
      const query = (expr: unknown) => (expr as { PLpgSQL_expr?: { query?: string } } | undefined)?.PLpgSQL_expr?.query;
      switch (kind) {
        case "PLpgSQL_stmt_execsql":
        case "PLpgSQL_stmt_perform": {
          const sql = query(kind === "PLpgSQL_stmt_execsql" ? stmt.sqlstmt : stmt.expr);
          if (sql) this.embedded(sql, prefix, label, line);
          return;
        }
        case "PLpgSQL_stmt_dynexecute":
        case "PLpgSQL_stmt_dynfors":
          this.dynamic(query(stmt.query) ?? "", prefix, label, line);
          return;
        case "PLpgSQL_stmt_open":
        case "PLpgSQL_stmt_return_query":
          if (stmt.dynquery) this.dynamic(query(stmt.dynquery) ?? "", prefix, label, line);
          return;
        default:
          return;
      }
    });
  }

  /** EXECUTE of a string built at run time: opaque, and louder when the string names a destructive command. */
  private dynamic(expression: string, prefix: string, label: string, line: number): void {
    const spot: Spot = { ...this.spot, line, endLine: line + (expression.match(/\n/g)?.length ?? 0), prefix: this.spot.prefix + prefix };
    const keywords = destructiveKeywords(expression);
    const shown = summary(expression);
    if (keywords.length > 0) {
      // DROP, TRUNCATE and DELETE in the string lose data: raised so the reviewer cannot miss them.
      const losesData = keywords.some((k) => k === "DROP" || k === "TRUNCATE" || k === "DELETE");
      this.run.report(spot, rules.opaqueCode, `EXECUTE runs dynamic SQL containing ${keywords.join(", ")}: ${shown}`, losesData ? { severity: "high" } : {});
    } else {
      this.run.report(spot, rules.opaqueCode, `EXECUTE runs dynamic SQL that cannot be checked: ${shown}`);
      return;
    }
    // When the command is a template (format('DROP TABLE %I', t), or 'DROP TABLE ' || t), read the
    // template with the run-time parts standing in as "<dynamic>".
    const template = dynamicTemplate(expression);
    if (template === undefined || this.owner.scope.depth >= MAX_EMBEDDING) return;
    try {
      parseSync(template);
    } catch {
      return;
    }
    analyzePostgres(this.run, new SqlSource(template, line), {
      prefix: spot.prefix + "dynamic SQL: ",
      depth: this.owner.scope.depth + 1,
      ...(this.spot.ack !== undefined ? { ack: this.spot.ack } : {}),
    });
  }

  /** A body PL/pgSQL rejects: opaque, plus a keyword reading of its statements so a DROP still shows. */
  private unreadableBody(code: string, label: string, bodyLine: number, error: string): void {
    const destructive = /\b(drop|truncate|delete)\b/i.test(code);
    this.run.report(this.spot, rules.opaqueCode, `The body of ${label} could not be parsed (${oneLine(error)}), so it was not analysed`, destructive ? { severity: "high" } : {});
    const source = new SqlSource(code, bodyLine);
    for (const range of splitByHand(source)) {
      const tokens = tokenize(source.slice(range.start, range.end));
      let at = 0;
      while (at < tokens.length && BLOCK_WORDS.has(tokens[at]!.value)) at++;
      const hits = readTokens(tokens.slice(at));
      if (hits.length === 0) continue;
      const first = source.skipTrivia(range.start, range.end);
      const spot: Spot = { ...this.spot, line: source.lineAt(first), endLine: source.lineAt(Math.max(first, source.trimEnd(first, range.end) - 1)), prefix: `${this.spot.prefix}${label}: ` };
      for (const hit of hits) {
        this.run.report(spot, hit.rule, `${hit.message} (read from keywords only)`, {
          ...(hit.object !== undefined ? { object: hit.object } : {}),
          ...(hit.table !== undefined ? { table: hit.table } : {}),
          ...(hit.cascade ? { cascade: true } : {}),
        });
      }
    }
  }
}

/** The SQL a dynamic EXECUTE expression builds, with run-time values as `"<dynamic>"`; undefined when unknowable. */
export function dynamicTemplate(expression: string): string | undefined {
  const unquote = (literal: string) => literal.slice(1, -1).replace(/''/g, "'");
  const format = /^\s*format\s*\(\s*('(?:[^']|'')*')/i.exec(expression);
  if (format) {
    return unquote(format[1]!)
      .replace(/%(?:\d+\$)?[IsL]/g, (m) => (m.endsWith("L") ? "'<dynamic>'" : '"<dynamic>"'))
      .replace(/%%/g, "%");
  }
  // Concatenation: split at || outside string literals.
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (c === "'") quoted = !quoted;
    if (!quoted && c === "|" && expression[i + 1] === "|") {
      parts.push(current.trim());
      current = "";
      i++;
    } else {
      current += c;
    }
  }
  parts.push(current.trim());
  if (!parts.some((p) => /^'(?:[^']|'')*'$/.test(p))) return undefined;
  return parts.map((p) => (/^'(?:[^']|'')*'$/.test(p) ? unquote(p) : '"<dynamic>"')).join("");
}

const DESTRUCTIVE = /\b(drop|truncate|delete|alter|update|grant|revoke)\b/gi;
/** Words before DELETE or UPDATE that make it an event or a referential action, not a command: `ON DELETE RESTRICT`, `AFTER INSERT OR UPDATE`. */
const EVENT_WORDS = new Set(["ON", "OR", "BEFORE", "AFTER", "OF"]);

/**
 * The destructive commands a dynamic SQL string names, upper-cased, each once. DELETE and UPDATE
 * after ON, OR, BEFORE, AFTER or OF are a foreign key's referential action or a trigger's event
 * (`REFERENCES t ON DELETE RESTRICT`, `AFTER INSERT OR UPDATE OR DELETE`): they delete nothing.
 */
export function destructiveKeywords(expression: string): string[] {
  const found = new Set<string>();
  for (const m of expression.matchAll(DESTRUCTIVE)) {
    const word = m[0].toUpperCase();
    if ((word === "DELETE" || word === "UPDATE") && EVENT_WORDS.has(wordBefore(expression, m.index))) continue;
    found.add(word);
  }
  return [...found];
}

/** The word that ends before `index`, skipping spaces and quotes, upper-cased ("" when none). */
function wordBefore(text: string, index: number): string {
  let end = index;
  while (end > 0 && /[\s'"]/.test(text[end - 1]!)) end--;
  let start = end;
  while (start > 0 && /\w/.test(text[start - 1]!)) start--;
  return text.slice(start, end).toUpperCase();
}

/**
 * Statement kinds reviewed and judged unable, on their own, to lose data, break running clients, block
 * the database or weaken security: no rule reads them. Every other kind the parser knows has a case in
 * `StatementReader.read`; a kind in neither place (a newer parser) is reported as `sql/unparsed`.
 * test/analyzers/sql/statement-kinds.test.ts walks libpg-query's node types against both.
 */
export const HARMLESS_STATEMENTS: Readonly<Record<string, string>> = {
  AlterCollationStmt: "refreshes a collation's version",
  AlterDatabaseRefreshCollStmt: "refreshes a database's collation version",
  AlterDatabaseSetStmt: "sets a session default for a database",
  AlterDatabaseStmt: "database options (connection limit, template flag, tablespace)",
  AlterExtensionContentsStmt: "adds or removes an object's membership in an extension; the object stays",
  AlterExtensionStmt: "updates an extension to a new version",
  AlterFdwStmt: "foreign-data wrapper options",
  AlterForeignServerStmt: "foreign server options",
  AlterFunctionStmt: "function attributes (volatility, cost, search_path)",
  AlterObjectDependsStmt: "marks a dependency on an extension",
  AlterOpFamilyStmt: "operator family members",
  AlterOperatorStmt: "operator attributes",
  AlterRoleSetStmt: "a role's session defaults",
  AlterStatsStmt: "extended statistics target",
  AlterTSConfigurationStmt: "text search configuration mapping",
  AlterTSDictionaryStmt: "text search dictionary options",
  AlterTableSpaceOptionsStmt: "tablespace cost options",
  AlterTypeStmt: "type attributes (storage, send/receive functions)",
  AlterUserMappingStmt: "user mapping options",
  CheckPointStmt: "forces a checkpoint",
  ClosePortalStmt: "closes a cursor",
  CommentStmt: "sets a comment",
  CompositeTypeStmt: "creates a composite type",
  ConstraintsSetStmt: "defers constraint checks within the transaction; they still run at commit",
  CreateAmStmt: "creates an access method",
  CreateCastStmt: "creates a cast",
  CreateConversionStmt: "creates an encoding conversion",
  CreateDomainStmt: "creates a domain",
  CreateEnumStmt: "creates an enum type",
  CreateEventTrigStmt: "creates an event trigger; its function is judged where it is created",
  CreateExtensionStmt: "installs an extension",
  CreateFdwStmt: "creates a foreign-data wrapper",
  CreateForeignServerStmt: "creates a foreign server",
  CreateForeignTableStmt: "creates a foreign table",
  CreateOpClassStmt: "creates an operator class",
  CreateOpFamilyStmt: "creates an operator family",
  CreatePLangStmt: "installs a procedural language",
  CreatePublicationStmt: "creates a publication",
  CreateRangeStmt: "creates a range type",
  CreateSeqStmt: "creates a sequence",
  CreateStatsStmt: "creates extended statistics",
  CreateSubscriptionStmt: "creates a subscription",
  CreateTableSpaceStmt: "creates a tablespace (inside a transaction: sql/transaction-conflict)",
  CreateTransformStmt: "creates a transform",
  CreateUserMappingStmt: "creates a user mapping",
  CreatedbStmt: "creates a database (inside a transaction: sql/transaction-conflict)",
  DeallocateStmt: "forgets a prepared statement",
  DeclareCursorStmt: "declares a cursor over a query",
  DefineStmt: "creates an aggregate, operator, type, collation or text search object",
  DiscardStmt: "discards session state",
  FetchStmt: "reads from a cursor",
  ImportForeignSchemaStmt: "creates foreign tables for a remote schema",
  ListenStmt: "listens on a channel",
  NotifyStmt: "sends a notification",
  SecLabelStmt: "sets a security label",
  TransactionStmt: "begins, commits or rolls back a transaction",
  UnlistenStmt: "stops listening on a channel",
  VariableShowStmt: "shows a setting",
  ViewStmt: "creates or replaces a view",
};

/** ALTER TABLE actions reviewed as harmless on their own; every other action has a case in `alterTableCmd`. */
export const HARMLESS_ALTER_TABLE: Readonly<Record<string, string>> = {
  AT_AddColumnToView: "internal (CREATE OR REPLACE VIEW)",
  AT_CookedColumnDefault: "internal",
  AT_SetStatistics: "planner statistics target",
  AT_SetOptions: "column planner options",
  AT_ResetOptions: "column planner options",
  AT_SetStorage: "TOAST strategy for new rows",
  AT_SetCompression: "compression for new values",
  AT_AddIndex: "internal (ADD CONSTRAINT … UNIQUE/PRIMARY KEY is AT_AddConstraint)",
  AT_ReAddIndex: "internal",
  AT_ReAddConstraint: "internal",
  AT_ReAddDomainConstraint: "internal",
  AT_AlterConstraint: "deferrability of a constraint",
  AT_AddIndexConstraint: "a constraint over an index built beforehand (the safe way)",
  AT_ReAddComment: "internal",
  AT_AlterColumnGenericOptions: "foreign table column options",
  AT_ClusterOn: "marks the index CLUSTER would use",
  AT_DropCluster: "unmarks the CLUSTER index",
  AT_DropOids: "no-op since PostgreSQL 12",
  AT_SetRelOptions: "storage parameters (fillfactor, autovacuum)",
  AT_ResetRelOptions: "storage parameters",
  AT_ReplaceRelOptions: "internal",
  AT_EnableTrig: "enables a trigger",
  AT_EnableAlwaysTrig: "enables a trigger",
  AT_EnableReplicaTrig: "enables a trigger for replicas",
  AT_EnableTrigAll: "enables triggers",
  AT_EnableTrigUser: "enables triggers",
  AT_EnableRule: "enables a rule",
  AT_EnableAlwaysRule: "enables a rule",
  AT_EnableReplicaRule: "enables a rule for replicas",
  AT_AddInherit: "adds a parent; the rows stay",
  AT_AddOf: "ties a table to a composite type",
  AT_DropOf: "unties a table from its composite type; columns stay",
  AT_EnableRowSecurity: "turns row-level security on (stricter)",
  AT_ForceRowSecurity: "forces row-level security on the owner (stricter)",
  AT_GenericOptions: "foreign table options",
  AT_AttachPartition: "attaches a partition; its rows join the table",
  AT_ReAddStatistics: "internal",
};

/** Node types whose names end in Stmt but that never stand as a statement of a parsed SQL text. */
export const NOT_TOP_LEVEL_STATEMENTS: Readonly<Record<string, string>> = {
  RawStmt: "the parser's wrapper around every statement",
  PLAssignStmt: "a PL/pgSQL assignment, only inside PL/pgSQL bodies",
  ReturnStmt: "RETURN of a SQL-standard function body, read with the function",
  SetOperationStmt: "a planner node; UNION and friends parse as SelectStmt",
  ReplicaIdentityStmt: "the argument of ALTER TABLE … REPLICA IDENTITY, read with the ALTER TABLE",
};

/** Sequence options that change which value comes next (RESTART is reported on its own). */
const SEQUENCE_VALUE_OPTIONS = new Set(["increment", "minvalue", "maxvalue", "start", "cycle", "as"]);

/** PostgreSQL's lock modes by number (LockStmt.mode); SHARE and above block writes. */
const LOCK_MODES: Record<number, string> = {
  1: "ACCESS SHARE",
  2: "ROW SHARE",
  3: "ROW EXCLUSIVE",
  4: "SHARE UPDATE EXCLUSIVE",
  5: "SHARE",
  6: "SHARE ROW EXCLUSIVE",
  7: "EXCLUSIVE",
  8: "ACCESS EXCLUSIVE",
};
const SHARE_LOCK = 5;
const ACCESS_EXCLUSIVE_LOCK = 8;
const BLOCK_WORDS = new Set(["BEGIN", "THEN", "ELSE", "LOOP", "DECLARE", "$"]);
const POWERFUL_ROLES = /^(pg_read_all_data|pg_write_all_data|pg_read_server_files|pg_write_server_files|pg_execute_server_program|pg_signal_backend|pg_checkpoint|pg_create_subscription|postgres|rds_superuser|rds_replication|azure_pg_admin|cloudsqlsuperuser|supabase_admin|service_role)$/i;
const ROLE_POWERS: Record<string, string> = {
  superuser: "SUPERUSER",
  bypassrls: "BYPASSRLS",
  createrole: "CREATEROLE",
  isreplication: "REPLICATION",
};

/** Functions whose result changes per row: a default using them makes PostgreSQL fill every existing row. */
const VOLATILE = new Set([
  "random",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "txid_current",
  "setseed",
]);
/** Common stable or immutable functions: a default using them is evaluated once. */
const NOT_VOLATILE = new Set([
  "now",
  "transaction_timestamp",
  "statement_timestamp",
  "lower",
  "upper",
  "concat",
  "jsonb_build_object",
  "json_build_object",
  "jsonb_build_array",
  "json_build_array",
  "to_jsonb",
  "to_json",
  "make_interval",
  "date_trunc",
  "timezone",
  "length",
  "btrim",
  "replace",
  "nullif",
  "array_fill",
]);

function volatileCall(expr: Node): string | undefined {
  let found: string | undefined;
  walk(expr, (kind, value) => {
    if (found !== undefined || kind !== "FuncCall") return;
    const name = lastName((value as { funcname?: Node[] }).funcname)?.toLowerCase();
    if (name && (VOLATILE.has(name) || !NOT_VOLATILE.has(name))) found = name;
  });
  return found;
}

/** The column names (lower-cased, last part) an expression reads. */
function columnRefs(node: unknown, depth = 0): string[] {
  if (node === null || typeof node !== "object" || depth > 64) return [];
  if (Array.isArray(node)) return node.flatMap((n) => columnRefs(n, depth + 1));
  const record = node as Record<string, unknown>;
  const ref = record.ColumnRef as { fields?: Node[] } | undefined;
  if (ref) {
    const last = ref.fields?.[ref.fields.length - 1] as { String?: { sval?: string } } | undefined;
    return last?.String?.sval !== undefined ? [last.String.sval.toLowerCase()] : [];
  }
  return Object.values(record).flatMap((v) => columnRefs(v, depth + 1));
}

/** Whether a WHERE clause only matches rows where `column` IS NULL (alone or as one of ANDed conditions). */
function onlyNull(where: Node, column: string): boolean {
  const test = (where as { NullTest?: { arg?: Node; nulltesttype?: string } }).NullTest;
  if (test) return test.nulltesttype === "IS_NULL" && columnRefs(test.arg).length === 1 && columnRefs(test.arg)[0] === column;
  const bool = (where as { BoolExpr?: { boolop?: string; args?: Node[] } }).BoolExpr;
  return bool?.boolop === "AND_EXPR" && (bool.args ?? []).some((arg) => onlyNull(arg, column));
}
