import { DATABASE, edit, objectLine, shopApp, without } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();
const pvc = objectLine(DATABASE, "PersistentVolumeClaim", "backups");
const sts = objectLine(DATABASE, "StatefulSet", "postgres");
const PV = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: nfs-backups\nspec:\n  capacity:\n    storage: 500Gi\n  accessModes: [ReadWriteMany]\n  persistentVolumeReclaimPolicy: Retain\n  nfs:\n    server: 10.0.0.5\n    path: /exports/backups\n";

runK8sRuleTests("k8s/delete-storage", {
  fires: [
    {
      name: "a PVC is cut out of a multi-document file",
      base: app,
      head: edit(app, "k8s/database.yaml", /---\napiVersion: v1\nkind: PersistentVolumeClaim[\s\S]*$/, ""),
      findings: [{ file: "k8s/database.yaml", line: pvc, side: "base", object: "PersistentVolumeClaim/shop/backups", message: /volume is released/ }],
    },
    {
      name: "the PVC's namespace changes: delete and recreate",
      base: app,
      head: edit(app, "k8s/database.yaml", "  name: backups\n  namespace: shop", "  name: backups\n  namespace: shop-archive"),
      findings: [{ file: "k8s/database.yaml", line: pvc, side: "base", object: "PersistentVolumeClaim/shop/backups", message: /renamed to PersistentVolumeClaim\/shop-archive\/backups/ }],
    },
    {
      name: "a PersistentVolume is removed",
      base: { ...app, "k8s/pv.yaml": PV },
      head: app,
      findings: [{ file: "k8s/pv.yaml", line: 1, side: "base", object: "PersistentVolume/nfs-backups" }],
    },
    {
      name: "reclaim policy Retain → Delete",
      base: { ...app, "k8s/pv.yaml": PV },
      head: { ...app, "k8s/pv.yaml": PV.replace("Retain", "Delete") },
      findings: [{ file: "k8s/pv.yaml", line: 1, object: "PersistentVolume/nfs-backups", severity: "high", message: /Retain → Delete/ }],
    },
    {
      name: "StatefulSet PVC retention turns to Delete",
      base: app,
      head: edit(app, "k8s/database.yaml", "  serviceName: postgres\n", "  serviceName: postgres\n  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Delete\n    whenScaled: Retain\n"),
      findings: [{ file: "k8s/database.yaml", line: sts, object: "StatefulSet/shop/postgres", severity: "high", message: /whenDeleted unset → Delete/ }],
    },
    {
      name: "a Helm values toggle turns persistence off (unverified, medium)",
      base: app,
      head: edit(app, "deploy/values.yaml", "persistence:\n  enabled: true", "persistence:\n  enabled: false"),
      findings: [{ file: "deploy/values.yaml", line: 1, object: "values deploy", severity: "medium", message: /unverified/ }],
    },
  ],
  passes: [
    { name: "the claim grows", base: app, head: edit(app, "k8s/database.yaml", "storage: 500Gi", "storage: 1Ti") },
    { name: "the database file is split in two", base: app, head: { ...without(app, "k8s/database.yaml"), "k8s/db-sts.yaml": DATABASE.split("---\n")[0]!, "k8s/db-rest.yaml": DATABASE.split("---\n").slice(1).join("---\n") } },
    { name: "a PV's reclaim policy turns to Retain", base: { ...app, "k8s/pv.yaml": PV.replace("Retain", "Delete") }, head: { ...app, "k8s/pv.yaml": PV } },
  ],
});
