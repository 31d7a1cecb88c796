/**
 * The `k8s/*` rules (Kubernetes manifests): one file each, named after the rule, each listed once here.
 * `npm run new-rule -- k8s/<name>` adds one.
 */
export { cascadeDelete } from "./cascade-delete.js";
export { deleteConfig } from "./delete-config.js";
export { deleteCrd } from "./delete-crd.js";
export { deleteNamespace } from "./delete-namespace.js";
export { deleteStorage } from "./delete-storage.js";
export { deleteWorkload } from "./delete-workload.js";
export { immutableChange } from "./immutable-change.js";
export { privilegeEscalation } from "./privilege-escalation.js";
export { pruneEnabled } from "./prune-enabled.js";
export { scaleToZero } from "./scale-to-zero.js";
export { unparsed } from "./unparsed.js";
