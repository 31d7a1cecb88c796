import type { RuleMeta } from "../../src/model/rule.js";

export const transactionConflict: RuleMeta = {
  id: "sql/transaction-conflict",
  title: "Statement that cannot run in the migration's transaction mode",
  severity: "medium",
  category: "outage",
  why:
    "Most migration tools run each migration inside a transaction. PostgreSQL refuses CREATE INDEX " +
    "CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY, VACUUM, " +
    "CREATE/DROP DATABASE, tablespaces and ALTER SYSTEM inside a transaction block, and before PostgreSQL 12 " +
    "ALTER TYPE … ADD VALUE too (from 12 the new value cannot be used until the transaction commits). The " +
    "migration fails at deploy time, after review, often with the release half rolled out. The reverse holds " +
    "as well: LOCK TABLE outside a transaction block is an error.",
  safeAlternative:
    "Run the statement in a migration of its own that the tool runs without a transaction: goose " +
    "`-- +goose NO TRANSACTION`, dbmate `-- migrate:up transaction:false`, sqlx `-- no-transaction`, Atlas " +
    "`-- atlas:txmode none`, Liquibase `runInTransaction:false`, Rails `disable_ddl_transaction!`, Django " +
    "`atomic = False`, Alembic `with op.get_context().autocommit_block():`, Knex `exports.config = { transaction: false }`, " +
    "goose `AddMigrationNoTx`. Keep LOCK TABLE inside BEGIN … COMMIT.",
  docs: "docs/rules.md#sql-transaction-conflict",
  examples: {
    fires: ["BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);\nCOMMIT;", "BEGIN;\nVACUUM ANALYZE orders;\nCOMMIT;"],
    passes: ["CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);", "BEGIN;\nCREATE INDEX orders_user_id_idx ON orders (user_id);\nCOMMIT;"],
  },
};
