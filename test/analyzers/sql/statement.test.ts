/**
 * `Finding.statement` is what a sign-off is bound to: the normalised statement with all its operands.
 * Reformatting keeps it; changing any operand changes it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import { codeNormalisation, normaliseStatement, sqlNormalisation } from "../../../src/analyzers/sql/statement.js";
import type { SqlDialect } from "../../../src/analyzers/types.js";
import { sql } from "./helpers.js";

function statementsOf(text: string, dialect: SqlDialect = "postgresql"): (string | undefined)[] {
  return sql(text, { dialect }).map((f) => f.statement);
}

describe("Finding.statement", () => {
  beforeAll(loadSqlParsers);

  it("tells statements apart by their SET list (issue 12 item 4)", () => {
    const [a] = statementsOf("UPDATE users SET active = false;");
    const [b] = statementsOf("UPDATE users SET email = NULL, password_hash = '';");
    expect(a).toBe("update users set active = false");
    expect(b).toBe("update users set email = null, password_hash = ''");
    expect(a).not.toBe(b);
  });

  it("is the same after reformatting, comments and keyword case", () => {
    const reformatted = statementsOf("-- clean up\nupdate   users\n\tSET active=false /* for now */ ;");
    expect(reformatted).toEqual(statementsOf("UPDATE users SET active = false;"));
  });

  it("keeps string literals and quoted identifiers byte for byte", () => {
    const [a] = statementsOf(`DELETE FROM "Users" WHERE 'a  b' = 'a  b';`);
    const [b] = statementsOf(`DELETE FROM "Users" WHERE 'a b' = 'a b';`);
    expect(a).toContain(`"Users"`);
    expect(a).toContain("'a  b'");
    expect(a).not.toBe(b);
  });

  it("changes with any operand of a gating statement", () => {
    const base = statementsOf("DROP TABLE orders;")[0];
    for (const variant of ["DROP TABLE orders CASCADE;", "DROP TABLE order_items;", "DROP TABLE billing.orders;"]) {
      expect(statementsOf(variant)[0], variant).not.toBe(base);
    }
  });

  it("is set on every finding of each dialect and of the keyword reading", () => {
    const cases: [string, SqlDialect][] = [
      ["DROP TABLE a;\nDELETE FROM b;\nALTER TABLE c DROP COLUMN d;", "postgresql"],
      ["DROP TABLE a;\nALTER TABLE c DROP COLUMN d;", "mysql"],
      ["DROP TABLE dbo.a;", "sqlserver"],
      ["DROP TABLE a; DROP TABLE @@@ broken;", "postgresql"],
      ["DO $$ BEGIN EXECUTE 'DROP TABLE ' || t; END $$;", "postgresql"],
    ];
    for (const [text, dialect] of cases) {
      const findings = sql(text, { dialect });
      expect(findings.length, text).toBeGreaterThan(0);
      for (const f of findings) expect(f.statement, `${f.rule} in ${text}`).toMatch(/\S/);
    }
  });

  it("normalises MySQL comments, backquotes and escapes", () => {
    const options = sqlNormalisation("mysql");
    expect(normaliseStatement("DELETE  FROM `t` # gone\n WHERE a = 'it\\'s';", options)).toBe("delete from `t` where a = 'it\\'s'");
  });

  it("normalises ORM calls without changing their case", () => {
    const options = codeNormalisation("javascript");
    expect(normaliseStatement("knex.schema.dropTable( 'Users' ) // gone", options)).toBe("knex.schema.dropTable('Users')");
    expect(normaliseStatement("op.drop_column('users',  'Email')  # old", codeNormalisation("python"))).toBe("op.drop_column('users', 'Email')");
  });

  it("keeps very long statements bound by a digest of the whole", () => {
    const values = Array.from({ length: 3000 }, (_, i) => `(${i})`).join(", ");
    const a = normaliseStatement(`INSERT INTO t VALUES ${values}; DELETE FROM t`);
    const b = normaliseStatement(`INSERT INTO t VALUES ${values.replace("(2999)", "(3000)")}; DELETE FROM t`);
    expect(a.length).toBeLessThan(2300);
    expect(a).toMatch(/sha256 [0-9a-f]{64}\)$/);
    expect(a).not.toBe(b);
  });
});
