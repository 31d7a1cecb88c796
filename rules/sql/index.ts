/**
 * The `sql/*` rules (SQL and ORM migrations): one file each, named after the rule, each listed once here.
 * `npm run new-rule -- sql/<name>` adds one.
 */
export { blockingIndex } from "./blocking-index.js";
export { columnTypeChange } from "./column-type-change.js";
export { deleteAllRows } from "./delete-all-rows.js";
export { deleteRows } from "./delete-rows.js";
export { detachPartition } from "./detach-partition.js";
export { disableRls } from "./disable-rls.js";
export { disableTriggers } from "./disable-triggers.js";
export { dropColumn } from "./drop-column.js";
export { dropConstraint } from "./drop-constraint.js";
export { dropDatabase } from "./drop-database.js";
export { dropDefault } from "./drop-default.js";
export { dropExpression } from "./drop-expression.js";
export { dropIndex } from "./drop-index.js";
export { dropObject } from "./drop-object.js";
export { dropRole } from "./drop-role.js";
export { dropSchema } from "./drop-schema.js";
export { dropTable } from "./drop-table.js";
export { editedMigration } from "./edited-migration.js";
export { identityChange } from "./identity-change.js";
export { mergeDelete } from "./merge-delete.js";
export { notNull } from "./not-null.js";
export { opaqueCode } from "./opaque-code.js";
export { ownerChange } from "./owner-change.js";
export { prismaWarning } from "./prisma-warning.js";
export { privilegeGrant } from "./privilege-grant.js";
export { rename } from "./rename.js";
export { replication } from "./replication.js";
export { sequenceReset } from "./sequence-reset.js";
export { tableLock } from "./table-lock.js";
export { tableRebuild } from "./table-rebuild.js";
export { tableRewrite } from "./table-rewrite.js";
export { transactionConflict } from "./transaction-conflict.js";
export { truncate } from "./truncate.js";
export { unparsed } from "./unparsed.js";
export { updateAllRows } from "./update-all-rows.js";
export { updateRows } from "./update-rows.js";
export { validatingConstraint } from "./validating-constraint.js";
