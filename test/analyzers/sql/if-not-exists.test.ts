import { beforeAll, describe, expect, it } from "vitest";
import { analyzeSqlText, loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import { SchemaModel } from "../../../src/analyzers/sql/schema.js";

/** Two texts of one change (two files, or two ExecContext calls of a Go migration) judged in order against one model. */
function change(model: SchemaModel, ...texts: string[]) {
  const createdTables = new Set<string>();
  return texts.map((text, i) => analyzeSqlText(text, { file: `db/migrations/00${i + 1}.sql`, side: "head", dialect: "postgresql", createdTables, schema: model }));
}

function modelWithGap(): SchemaModel {
  const model = new SchemaModel();
  model.files = 1;
  model.gap("db/migrations/000_setup.sql:1: DO runs code the model cannot follow");
  model.origin = "change";
  return model;
}

describe("a table created with IF NOT EXISTS the model cannot place, dropped by a later text", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("keeps the DROP critical and says why the table may have existed", () => {
    const [created, dropped] = change(modelWithGap(), "CREATE TABLE IF NOT EXISTS scratch_progress (id bigint);", "DROP TABLE scratch_progress;");
    expect(created).toEqual([]);
    expect(dropped!.map((f) => [f.rule, f.severity])).toEqual([["sql/drop-table", "critical"]]);
    expect(dropped![0]!.message).toMatch(/IF NOT EXISTS earlier cannot tell whether it is new, because the migrations at base could not all be followed: .*000_setup\.sql:1: DO runs code/);
  });

  it("says nothing of IF NOT EXISTS once a later text creates the table outright", () => {
    const [, , dropped] = change(modelWithGap(), "CREATE TABLE IF NOT EXISTS scratch_progress (id bigint);", "DROP TABLE IF EXISTS scratch_progress;\nCREATE TABLE scratch_progress (id bigint);", "DROP TABLE scratch_progress;");
    expect(dropped).toEqual([]);
  });
});
