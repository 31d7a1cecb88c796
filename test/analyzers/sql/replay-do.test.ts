/**
 * DO blocks in the migrations at base: the schema model follows a PL/pgSQL body where it can be
 * sure what ran, and is a gap (untrusted, every judgement falls back and says why) where it cannot.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBody } from "../../../src/analyzers/sql/plpgsql-blocks.js";
import { replaySql } from "../../../src/analyzers/sql/replay.js";
import { SchemaModel } from "../../../src/analyzers/sql/schema.js";
import { tokenize } from "../../../src/analyzers/sql/tokens.js";
import { CORPUS, HAS_CORPUS } from "../migrations/helpers.js";

const TABLES = 'CREATE TABLE "Env" (id text PRIMARY KEY, "projectId" text NOT NULL, "parentId" text);\nCREATE TABLE "Project" (id text PRIMARY KEY);\n';

/** The model after the tables above and then `sql`, as the migration analyzer replays a history. */
function replayed(sql: string): SchemaModel {
  const model = new SchemaModel();
  replaySql(model, TABLES, "postgresql", "m/0001.sql");
  replaySql(model, sql, "postgresql", "m/0002.sql");
  model.files = 2;
  return model;
}

describe("the schema model in a DO block", () => {
  it("replays what always runs: a column added, a query, an index, after DECLARE", () => {
    const model = replayed(
      [
        "DO $$",
        "DECLARE",
        "  parts text[] := ARRAY['apple', 'fig'];",
        "BEGIN",
        '  ALTER TABLE "Env" ADD COLUMN "shortcode" varchar(40);',
        '  UPDATE "Env" SET "shortcode" = parts[1] || \'-\' || id;',
        '  RAISE NOTICE \'filled %\', 1;',
        '  CREATE UNIQUE INDEX "Env_shortcode_key" ON "Env"("projectId", "shortcode");',
        "END $$;",
      ].join("\n"),
    );
    expect(model.trusted).toBe(true);
    expect(model.column("Env", "shortcode")?.type).toBe("varchar(40)");
    expect(model.indexes.get("env_shortcode_key")).toBe("env");
  });

  it("follows a foreign key added only if it is missing: running it or not changes nothing the model holds", () => {
    const model = replayed(
      [
        "DO $$ BEGIN",
        "  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'Env_parent_fkey') THEN",
        '    ALTER TABLE "Env" ADD CONSTRAINT "Env_parent_fkey" FOREIGN KEY ("parentId") REFERENCES "Env" ("id") ON DELETE CASCADE;',
        "  END IF;",
        "  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'Env_project_fkey') THEN",
        '    ALTER TABLE "Env" ADD FOREIGN KEY ("projectId") REFERENCES "Project" (id);',
        "  END IF;",
        "END $$ LANGUAGE plpgsql;",
      ].join("\n"),
    );
    expect(model.why()).toBeUndefined();
    expect(model.trusted).toBe(true);
  });

  const gaps: [string, string][] = [
    ["dynamic SQL", "DO $$ BEGIN EXECUTE 'ALTER TABLE ' || 'Env' || ' DROP COLUMN parentId'; END $$;"],
    ["a table renamed under IF", 'DO $$ BEGIN IF EXISTS (SELECT 1) THEN ALTER TABLE "Env" RENAME TO "Environment"; END IF; END $$;'],
    ["a table the model does not hold, altered under IF", 'DO $$ BEGIN IF EXISTS (SELECT 1) THEN ALTER TABLE "Elsewhere" DROP COLUMN "parentId"; END IF; END $$;'],
    ["a check added under IF", 'DO $$ BEGIN IF true THEN ALTER TABLE "Env" ADD CONSTRAINT c CHECK ("parentId" IS NOT NULL); END IF; END $$;'],
    ["a table created in a loop", 'DO $$ BEGIN FOR i IN 1..2 LOOP CREATE TABLE IF NOT EXISTS "Later" (a int); END LOOP; END $$;'],
    ["a table created in a block with an exception handler (rolled back when it fails)", 'DO $$ BEGIN BEGIN CREATE TABLE "Later" (a int); EXCEPTION WHEN duplicate_table THEN NULL; END; END $$;'],
    ["DDL after a RETURN under IF", 'DO $$ BEGIN IF (SELECT count(*) FROM "Env") > 0 THEN RETURN; END IF; CREATE TABLE "Later" (a int); END $$;'],
    ["a foreign key added with a second action", 'DO $$ BEGIN IF true THEN ALTER TABLE "Env" ADD CONSTRAINT f FOREIGN KEY ("projectId") REFERENCES "Project" (id), DROP COLUMN "parentId"; END IF; END $$;'],
    ["another language", "DO LANGUAGE plperl $$ ALTER TABLE x ADD COLUMN y int $$;"],
    ["a body that does not close its blocks", 'DO $$ BEGIN IF true THEN ALTER TABLE "Env" ADD COLUMN c int; END $$;'],
    ["a body of thousands of unclosed labels", `DO $$ BEGIN ${"<<a ".repeat(5000)} ALTER TABLE "Env" ADD COLUMN c int; END $$;`],
    ["a body nested deeper than the reader follows", `DO $$ ${"BEGIN ".repeat(200)} ALTER TABLE "Env" ADD COLUMN c int; ${"END; ".repeat(200)} $$;`],
  ];
  for (const [what, sql] of gaps) {
    it(`is a gap for ${what}`, () => {
      const model = replayed(sql);
      expect(model.trusted).toBe(false);
      expect(model.why()).toMatch(/m\/0002\.sql: DO runs code the model cannot follow/);
    });
  }

  it("forgets one table's columns and checks when they change only under a condition, and trusts the rest", () => {
    const model = replayed(
      [
        'ALTER TABLE "Env" ADD CONSTRAINT env_parent_set CHECK ("parentId" IS NOT NULL);',
        "DO $$ BEGIN",
        "  IF EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'Env') THEN",
        '    ALTER TABLE "Env" DROP COLUMN IF EXISTS "parentId" CASCADE, ALTER COLUMN "projectId" TYPE varchar(20);',
        "  END IF;",
        "END $$;",
      ].join("\n"),
    );
    expect(model.trusted).toBe(true);
    expect(model.column("Env", "projectId")).toBeUndefined();
    expect(model.check("Env", "env_parent_set")).toBeUndefined();
    expect(model.whyColumnUnknown("Env")).toBe('m/0002.sql: a DO block changes columns of Env only under a condition');
    expect(model.table("Project")?.columns?.has("id")).toBe(true);
  });

  it("leaves a body without table DDL or dynamic SQL alone, as before", () => {
    const model = replayed("DO $$ BEGIN IF true THEN UPDATE \"Env\" SET \"parentId\" = NULL; END IF; END $$;");
    expect(model.trusted).toBe(true);
  });
});

describe("the block structure of a PL/pgSQL body", () => {
  const kinds = (body: string) =>
    JSON.stringify(readBody(tokenize(body)), (key, value: unknown) => (key === "tokens" ? (value as { name: string }[]).map((t) => t.name).join(" ") : value));

  it("tells what always runs from what may not", () => {
    expect(kinds("<<outer>> DECLARE x int; BEGIN a; IF c THEN b; ELSIF d THEN e; ELSE f; END IF; LOOP g; END LOOP; CASE WHEN h THEN i; END CASE; END outer;")).toBe(
      JSON.stringify([
        {
          kind: "block",
          body: [
            { kind: "statement", tokens: "a" },
            { kind: "conditional", body: [{ kind: "statement", tokens: "b" }, { kind: "statement", tokens: "e" }, { kind: "statement", tokens: "f" }] },
            { kind: "conditional", body: [{ kind: "statement", tokens: "g" }] },
            { kind: "conditional", body: [{ kind: "statement", tokens: "i" }] },
          ],
          handlers: [],
        },
      ]),
    );
  });

  it("reads an exception section as handlers, and IF inside a statement as part of it", () => {
    const [block] = readBody(tokenize("BEGIN ALTER TABLE t DROP COLUMN IF EXISTS c; EXCEPTION WHEN undefined_table THEN NULL; WHEN others THEN RAISE; END"));
    expect(block).toMatchObject({ kind: "block", body: [{ kind: "statement" }], handlers: [{ kind: "statement" }, { kind: "statement" }] });
  });
});

describe.skipIf(!HAS_CORPUS)("trigger.dev's DO blocks (corpus)", () => {
  const dir = join(CORPUS, "sql-migrations", "prisma-postgres-trigger.dev", "internal-packages", "database", "prisma", "migrations");
  const text = (name: string) => readFileSync(join(dir, name, "migration.sql"), "utf8");
  const history = ["RuntimeEnvironment", "TaskScheduleInstance", "Project", "BulkActionGroup", "User", "EventRecord"]
    .map((table) => `CREATE TABLE "${table}" (id text PRIMARY KEY, "httpEndpointEnvironmentId" text);`)
    .join("\n");

  it("follows all five: DDL that always runs, foreign keys added if missing, and a column dropped if its table exists", () => {
    const after = (name: string) => {
      const model = new SchemaModel();
      replaySql(model, history, "postgresql", "history.sql");
      replaySql(model, text(name), "postgresql", name);
      model.files = 2;
      return model;
    };
    const shortcodes = after("20231024122736_runtime_environment_shortcodes");
    expect(shortcodes.trusted).toBe(true);
    expect(shortcodes.column("RuntimeEnvironment", "shortcode")?.type).toBe("text");
    for (const name of ["20250509180155_runtime_environment_branching", "20250616083614_bulk_action_v2", "20260115125846_add_project_id_to_task_schedule_instance"]) {
      expect(after(name).trusted, name).toBe(true);
    }
    const dropped = after("20250526094044_remove_v2_trigger_http_endpoint_environment");
    expect(dropped.trusted).toBe(true);
    expect(dropped.whyColumnUnknown("EventRecord")).toMatch(/a DO block changes columns of EventRecord only under a condition/);
    expect(dropped.column("Project", "httpEndpointEnvironmentId")?.type).toBe("text");
  });
});
