import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { createMigrationAnalyzer } from "../../../src/analyzers/migrations/index.js";
import type { Finding } from "../../../src/model/finding.js";
import { CORPUS, HAS_CORPUS } from "./helpers.js";

/**
 * False-positive checks over real migration histories in the shared corpus (read in place; the
 * GPL-licensed Rails set is never copied). Skipped when the corpus is not beside the repository.
 */
const SETS = join(CORPUS, "sql-migrations");
const analyzer = createMigrationAnalyzer();

interface Analysed {
  path: string;
  text: string;
  findings: Finding[];
}

function analyseSet(set: string): Analysed[] {
  const root = join(SETS, set);
  const result: Analysed[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const path = relative(root, full);
        if (!analyzer.claims(path)) continue;
        const text = readFileSync(full, "utf8");
        const findings = analyzer.analyze({ path, status: "added", base: null, head: { path, text } }, { authorKind: "human" });
        result.push({ path, text, findings });
      }
    }
  };
  walk(root);
  return result;
}

/** Findings of this analyzer's own readers saying the file is not valid Ruby/Python/JS/YAML. */
function readerFailures(files: Analysed[]): string[] {
  return files.flatMap((f) => f.findings.filter((x) => x.rule === "sql/unparsed" && /does not parse as|could not be parsed/.test(x.message)).map((x) => `${f.path}:${x.line}`));
}

function lineOf(text: string, pattern: RegExp): number {
  return text.split("\n").findIndex((l) => pattern.test(l)) + 1;
}

describe.skipIf(!HAS_CORPUS)("real migration histories (shared corpus)", () => {
  it("golang-migrate (gitness): nothing above low from a down file, and forward files still report", () => {
    const files = analyseSet("golang-migrate-postgres-gitness");
    expect(files.length).toBe(164);
    const down = files.filter((f) => /[._]down\.sql$/.test(f.path)).flatMap((f) => f.findings);
    expect(down.length).toBeGreaterThan(50);
    expect(down.filter((f) => f.severity !== "low" || !f.rollback)).toEqual([]);
    const up = files.filter((f) => /[._]up\.sql$/.test(f.path)).flatMap((f) => f.findings);
    expect(up.some((f) => f.rule === "sql/drop-table" && f.severity === "critical")).toBe(true);
    expect(up.filter((f) => f.rollback)).toEqual([]);
  });

  it("goose (hatchet): findings in Down sections are only low rollback, Up sections never rollback", () => {
    const files = analyseSet("goose-postgres-hatchet").filter((f) => f.path.endsWith(".sql"));
    let rollbacks = 0;
    for (const file of files) {
      const down = lineOf(file.text, /^--\s*\+goose\s+Down/i) || Infinity;
      for (const f of file.findings) {
        if (f.rule === "sql/prisma-warning") continue; // a comment block copied from a Prisma migration
        if (f.line >= down) {
          rollbacks++;
          expect(f, `${file.path}:${f.line}`).toMatchObject({ severity: "low", rollback: true });
        } else {
          expect(f.rollback, `${file.path}:${f.line} ${f.rule}`).toBeUndefined();
        }
      }
    }
    expect(rollbacks).toBeGreaterThan(100);
  });

  it("Alembic (dispatch): findings inside downgrade() are only low rollback, inside upgrade() never", () => {
    const files = analyseSet("alembic-dispatch");
    expect(readerFailures(files)).toEqual([]);
    let rollbacks = 0;
    for (const file of files) {
      const downgrade = lineOf(file.text, /^def downgrade/);
      const upgrade = lineOf(file.text, /^def upgrade/);
      if (!downgrade || !upgrade || downgrade < upgrade) continue;
      for (const f of file.findings) {
        if (f.line > downgrade) {
          rollbacks++;
          expect(f, `${file.path}:${f.line}`).toMatchObject({ severity: "low", rollback: true });
        } else if (f.line > upgrade) {
          expect(f.rollback, `${file.path}:${f.line}`).toBeUndefined();
        }
      }
    }
    expect(rollbacks).toBeGreaterThan(100);
  });

  it("Rails (openstreetmap, read in place): every file parses, and code in def down is only low rollback", () => {
    const files = analyseSet("rails-openstreetmap-website");
    expect(files.length).toBe(162);
    expect(readerFailures(files)).toEqual([]);
    let rollbacks = 0;
    for (const file of files) {
      const lines = file.text.split("\n");
      const down = lineOf(file.text, /^\s*def (self\.)?down\b/);
      const up = lineOf(file.text, /^\s*def (self\.)?up\b/);
      // Only files laid out as `def up … def down … end` with no helper method after down.
      if (!down || !up || down < up || lines.slice(down).some((l) => /^\s*def /.test(l))) continue;
      for (const f of file.findings) {
        if (f.line > down) {
          rollbacks++;
          expect(f, `${file.path}:${f.line}`).toMatchObject({ severity: "low", rollback: true });
        } else if (f.line > up) {
          expect(f.rollback, `${file.path}:${f.line}`).toBeUndefined();
        }
      }
    }
    expect(rollbacks).toBeGreaterThan(50);
  });

  it("Django (netbox) and Knex (uptime-kuma): every migration parses", () => {
    const django = analyseSet("django-netbox");
    const knex = analyseSet("knex-uptime-kuma").filter((f) => f.path.endsWith(".js"));
    expect(django.length).toBeGreaterThan(250);
    expect(knex.length).toBeGreaterThan(50);
    expect(readerFailures([...django, ...knex])).toEqual([]);
  });

  it("Prisma (trigger.dev): every warning is surfaced once, in the finding of its statement or on its own", () => {
    const files = analyseSet("prisma-postgres-trigger.dev");
    const withWarnings = files.filter((f) => /\/\*\s*\n\s*Warnings:/.test(f.text));
    expect(withWarnings.length).toBe(213);
    for (const file of withWarnings) {
      const block = /Warnings:([\s\S]*?)\*\//.exec(file.text)![1]!;
      const items = block.split("\n").filter((l) => /^\s*-\s/.test(l)).length;
      const alone = file.findings.filter((f) => f.rule === "sql/prisma-warning").length;
      const merged = file.findings.reduce((n, f) => n + (f.rule === "sql/prisma-warning" ? 0 : f.message.split("; Prisma warned: ").length - 1), 0);
      expect(alone + merged, file.path).toBe(items);
    }
  });
});
