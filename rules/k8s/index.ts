import type { RuleMeta } from "../../src/model/rule.js";
import { cascadeDelete } from "./cascade-delete.js";
import { deleteConfig } from "./delete-config.js";
import { deleteCrd } from "./delete-crd.js";
import { deleteNamespace } from "./delete-namespace.js";
import { deleteStorage } from "./delete-storage.js";
import { deleteWorkload } from "./delete-workload.js";
import { immutableChange } from "./immutable-change.js";
import { privilegeEscalation } from "./privilege-escalation.js";
import { pruneEnabled } from "./prune-enabled.js";
import { scaleToZero } from "./scale-to-zero.js";
import { unparsed } from "./unparsed.js";

/** Every `k8s/*` rule, one file each (file name = rule name). */
export const k8sRules: readonly RuleMeta[] = [
  cascadeDelete,
  deleteConfig,
  deleteCrd,
  deleteNamespace,
  deleteStorage,
  deleteWorkload,
  immutableChange,
  privilegeEscalation,
  pruneEnabled,
  scaleToZero,
  unparsed,
];

export {
  cascadeDelete,
  deleteConfig,
  deleteCrd,
  deleteNamespace,
  deleteStorage,
  deleteWorkload,
  immutableChange,
  privilegeEscalation,
  pruneEnabled,
  scaleToZero,
  unparsed,
};
