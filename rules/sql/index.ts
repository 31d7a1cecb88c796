import type { RuleMeta } from "../../src/model/rule.js";
import { blockingIndex } from "./blocking-index.js";
import { columnTypeChange } from "./column-type-change.js";
import { deleteAllRows } from "./delete-all-rows.js";
import { detachPartition } from "./detach-partition.js";
import { disableRls } from "./disable-rls.js";
import { disableTriggers } from "./disable-triggers.js";
import { dropColumn } from "./drop-column.js";
import { dropConstraint } from "./drop-constraint.js";
import { dropDatabase } from "./drop-database.js";
import { dropDefault } from "./drop-default.js";
import { dropExpression } from "./drop-expression.js";
import { dropIndex } from "./drop-index.js";
import { dropObject } from "./drop-object.js";
import { dropRole } from "./drop-role.js";
import { dropSchema } from "./drop-schema.js";
import { dropTable } from "./drop-table.js";
import { editedMigration } from "./edited-migration.js";
import { identityChange } from "./identity-change.js";
import { mergeDelete } from "./merge-delete.js";
import { notNull } from "./not-null.js";
import { opaqueCode } from "./opaque-code.js";
import { ownerChange } from "./owner-change.js";
import { prismaWarning } from "./prisma-warning.js";
import { privilegeGrant } from "./privilege-grant.js";
import { rename } from "./rename.js";
import { replication } from "./replication.js";
import { sequenceReset } from "./sequence-reset.js";
import { tableLock } from "./table-lock.js";
import { tableRebuild } from "./table-rebuild.js";
import { tableRewrite } from "./table-rewrite.js";
import { truncate } from "./truncate.js";
import { unparsed } from "./unparsed.js";
import { updateAllRows } from "./update-all-rows.js";
import { validatingConstraint } from "./validating-constraint.js";

/** Every `sql/*` rule, one file each (file name = rule name). */
export const sqlRules: readonly RuleMeta[] = [
  blockingIndex,
  columnTypeChange,
  deleteAllRows,
  detachPartition,
  disableRls,
  disableTriggers,
  dropColumn,
  dropConstraint,
  dropDatabase,
  dropDefault,
  dropExpression,
  dropIndex,
  dropObject,
  dropRole,
  dropSchema,
  dropTable,
  editedMigration,
  identityChange,
  mergeDelete,
  notNull,
  opaqueCode,
  ownerChange,
  prismaWarning,
  privilegeGrant,
  rename,
  replication,
  sequenceReset,
  tableLock,
  tableRebuild,
  tableRewrite,
  truncate,
  unparsed,
  updateAllRows,
  validatingConstraint,
];

/** The records by name, for detectors: `rules.dropTable`, so a typo fails to compile. */
export {
  blockingIndex,
  columnTypeChange,
  deleteAllRows,
  detachPartition,
  disableRls,
  disableTriggers,
  dropColumn,
  dropConstraint,
  dropDatabase,
  dropDefault,
  dropExpression,
  dropIndex,
  dropObject,
  dropRole,
  dropSchema,
  dropTable,
  editedMigration,
  identityChange,
  mergeDelete,
  notNull,
  opaqueCode,
  ownerChange,
  prismaWarning,
  privilegeGrant,
  rename,
  replication,
  sequenceReset,
  tableLock,
  tableRebuild,
  tableRewrite,
  truncate,
  unparsed,
  updateAllRows,
  validatingConstraint,
};
