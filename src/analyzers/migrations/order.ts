import type { FileChange } from "../types.js";
import { isMeantToBeEdited, isRollbackFile, type Layouts } from "./layouts.js";
import { compareText } from "../../util/compare.js";

/** A file in the order the migration analyzer reads it, with the shared set of tables created before it. */
export interface OrderedChange {
  change: FileChange;
  /** Tables created by earlier migrations added in the same change, in the same directory; absent when none can count. */
  created?: Set<string>;
}

interface Slot {
  change: FileChange;
  /** The migration directory (the framework root for Prisma-style `<root>/<version>_name/migration.sql`). */
  root: string;
  /** The name that carries the version: the file name, or the folder name for Prisma-style layouts. */
  name: string;
  version: number[];
}

const LIQUIBASE_SQL = /^[ \t]*--[ \t]*liquibase[ \t]+formatted[ \t]+sql\b/im;
/** Alembic orders revisions by `down_revision`, not by file name. */
const ALEMBIC_REVISION = /^[ \t]*revision[ \t]*(?::[\w[\], |\t]+)?=[ \t]*['"]([^'"]+)['"]/m;
const ALEMBIC_DOWN = /^[ \t]*down_revision[ \t]*(?::[\w[\], |\t]+)?=[ \t]*(?:['"]([^'"]+)['"]|None\b)/m;
const ALEMBIC_ANY_DOWN = /^[ \t]*down_revision[ \t]*(?::[^=\n]*)?=/m;

/**
 * Orders the changes so that the migrations ADDED by the change set run in version order within
 * their directory, and gives each of those a set of tables created by the ones before it. A table
 * that an earlier added migration creates does not exist in production yet, so the later ones may
 * index it, constrain it or drop it without the locking and data-loss findings an existing table
 * gets. Only added forward migrations take part: a modified migration may already have run,
 * rollback code never runs forward, and files without a version (or with an order the file names
 * do not give, such as Liquibase changelogs) are read on their own as before.
 */
export function migrationOrder(changes: readonly FileChange[], layouts: Layouts): OrderedChange[] {
  const alone: OrderedChange[] = [];
  const groups = new Map<string, Slot[]>();
  for (const change of changes) {
    const slot = threadable(change, layouts);
    if (!slot) {
      alone.push({ change });
      continue;
    }
    const group = groups.get(slot.root);
    if (group) group.push(slot);
    else groups.set(slot.root, [slot]);
  }
  const ordered: OrderedChange[] = [...alone];
  for (const group of groups.values()) {
    const created = new Set<string>();
    const alembic = group.some((slot) => ALEMBIC_ANY_DOWN.test(slot.change.head!.text));
    const sorted = alembic ? alembicOrder(group) : group.sort(compareSlots);
    if (sorted === null) {
      // Alembic revisions whose chain is not a single line among the added files: no order to trust.
      for (const slot of group) ordered.push({ change: slot.change });
      continue;
    }
    for (const slot of sorted) ordered.push({ change: slot.change, created });
  }
  return ordered;
}

function threadable(change: FileChange, layouts: Layouts): Slot | null {
  if (change.status !== "added" || change.head === null || change.base !== null) return null;
  const reader = layouts.readerFor(change.path);
  if (reader === null || reader === "liquibase") return null;
  if (isRollbackFile(change.path) || isMeantToBeEdited(change.path)) return null;
  if (reader === "sql" && LIQUIBASE_SQL.test(change.head.text)) return null;
  const parts = change.path.split("/");
  const file = parts.pop()!;
  const fileVersion = versionOf(file);
  if (fileVersion) return { change, root: parts.join("/"), name: file, version: fileVersion };
  // Prisma (and Drizzle's newer layout): `<root>/<version>_name/migration.sql`.
  const folder = parts.pop();
  const folderVersion = folder === undefined ? null : versionOf(folder);
  if (folder !== undefined && folderVersion) return { change, root: parts.join("/"), name: folder, version: folderVersion };
  if (reader === "python" && ALEMBIC_ANY_DOWN.test(change.head.text)) {
    // Alembic names files after hex revisions; the chain in the file gives the order.
    return { change, root: parts.concat(folder === undefined ? [] : [folder]).join("/"), name: file, version: [] };
  }
  return null;
}

/**
 * The version a migration's name starts with, as numbers: Flyway `V1.2__x` → [1, 2], and the
 * numeric prefixes of golang-migrate, goose, dbmate, Rails, Django, Knex, TypeORM, Prisma and
 * Supabase (`000012_x`, `20240101120000_x`, `1700000000000-Name`) → [n]. Null when there is none.
 */
export function versionOf(name: string): number[] | null {
  const flyway = /^V(\d+(?:[._]\d+)*)__/.exec(name);
  if (flyway) return flyway[1]!.split(/[._]/).map(Number);
  const prefix = /^(\d+)(?=[._-]|$)/.exec(name);
  return prefix ? [Number(prefix[1])] : null;
}

function compareSlots(a: Slot, b: Slot): number {
  const length = Math.max(a.version.length, b.version.length);
  for (let i = 0; i < length; i++) {
    // A missing part sorts first: Flyway V1 runs before V1.1.
    const x = a.version[i] ?? -1;
    const y = b.version[i] ?? -1;
    if (x !== y) return x - y;
  }
  return naturalCompare(a.name, b.name) || compareText(a.change.path, b.change.path);
}

/** Compares names with their digit runs as numbers: `2_x` before `10_x`. */
export function naturalCompare(a: string, b: string): number {
  const xs = a.match(/\d+|\D+/g) ?? [];
  const ys = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const u = x.replace(/^0+(?=\d)/, "");
      const v = y.replace(/^0+(?=\d)/, "");
      if (u.length !== v.length) return u.length - v.length;
      if (u !== v) return u < v ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return xs.length - ys.length;
}

/**
 * Alembic: the added revisions in the order their `down_revision` links give. Null unless they
 * form one line (no merges, branches, cycles or unreadable revision ids).
 */
function alembicOrder(group: Slot[]): Slot[] | null {
  const byRevision = new Map<string, Slot>();
  const parentOf = new Map<Slot, string | null>();
  for (const slot of group) {
    const text = slot.change.head!.text;
    const revision = ALEMBIC_REVISION.exec(text)?.[1];
    const down = ALEMBIC_DOWN.exec(text);
    if (revision === undefined || down === null || byRevision.has(revision)) return null;
    byRevision.set(revision, slot);
    parentOf.set(slot, down[1] ?? null);
  }
  const childOf = new Map<string, Slot>();
  let first: Slot | null = null;
  for (const slot of group) {
    const parent = parentOf.get(slot)!;
    if (parent !== null && byRevision.has(parent)) {
      if (childOf.has(parent)) return null;
      childOf.set(parent, slot);
    } else if (first === null) {
      first = slot;
    } else {
      return null;
    }
  }
  const sorted: Slot[] = [];
  for (let slot = first; slot !== null && sorted.length <= group.length; ) {
    sorted.push(slot);
    const revision = [...byRevision].find(([, s]) => s === slot)![0];
    slot = childOf.get(revision) ?? null;
  }
  return sorted.length === group.length ? sorted : null;
}

/**
 * The directory a migration belongs to, as its framework runs them: the file's own folder, or for
 * Prisma-style layouts (`<root>/<version>_name/migration.sql`) the folder above its version folder.
 */
export function migrationRoot(path: string): { root: string; nested: boolean } {
  const parts = path.split("/");
  const file = parts.pop()!;
  if (versionOf(file)) return { root: parts.join("/"), nested: false };
  const folder = parts[parts.length - 1];
  if (folder !== undefined && versionOf(folder)) return { root: parts.slice(0, -1).join("/"), nested: true };
  return { root: parts.join("/"), nested: false };
}

/**
 * The migrations of one directory in the order the framework runs them: by version (Flyway's dotted
 * versions, numeric prefixes), then by name with digit runs as numbers. Files without a version
 * (Alembic's hex revisions) sort by name; their order is not trusted (see replay.ts).
 */
export function runOrder<T extends { path: string }>(files: readonly T[]): T[] {
  const keyed = files.map((file) => {
    const parts = file.path.split("/");
    const name = parts.pop()!;
    const folder = parts.pop();
    const own = versionOf(name);
    const version = own ?? (folder === undefined ? null : versionOf(folder));
    return { file, name: own || version === null || folder === undefined ? name : folder, version: version ?? [] };
  });
  keyed.sort((a, b) => {
    const length = Math.max(a.version.length, b.version.length);
    for (let i = 0; i < length; i++) {
      const x = a.version[i] ?? -1;
      const y = b.version[i] ?? -1;
      if (x !== y) return x - y;
    }
    return naturalCompare(a.name, b.name) || compareText(a.file.path, b.file.path);
  });
  return keyed.map((k) => k.file);
}
