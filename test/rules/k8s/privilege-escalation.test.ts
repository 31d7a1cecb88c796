import { API, edit, objectLine, RBAC, shopApp } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();
const deployment = objectLine(API, "Deployment", "api");

runK8sRuleTests("k8s/privilege-escalation", {
  fires: [
    {
      name: "the API container becomes privileged with SYS_ADMIN",
      base: app,
      head: edit(app, "k8s/api.yaml", "          ports:\n", "          securityContext:\n            privileged: true\n            capabilities:\n              add: [SYS_ADMIN]\n          ports:\n"),
      findings: [{ file: "k8s/api.yaml", line: deployment, object: "Deployment/shop/api", message: /capability SYS_ADMIN in api; privileged container api/ }],
    },
    {
      name: "hostNetwork and a docker.sock hostPath",
      base: app,
      head: edit(app, "k8s/api.yaml", "      serviceAccountName: api\n", "      serviceAccountName: api\n      hostNetwork: true\n      volumes:\n        - name: docker\n          hostPath:\n            path: /var/run/docker.sock\n"),
      findings: [{ file: "k8s/api.yaml", line: deployment, object: "Deployment/shop/api", message: /hostNetwork; hostPath \/var\/run\/docker.sock/ }],
    },
    {
      name: "the RoleBinding is pointed at cluster-admin",
      base: app,
      head: edit(app, "k8s/rbac.yaml", "  kind: Role\n  name: api\n", "  kind: ClusterRole\n  name: cluster-admin\n"),
      findings: [{ file: "k8s/rbac.yaml", line: objectLine(RBAC, "RoleBinding", "api"), object: "RoleBinding/shop/api", message: /binding to cluster-admin/ }],
    },
    {
      name: "a new ClusterRole with wildcards",
      base: app,
      head: { ...app, "k8s/admin.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ops\nrules:\n  - apiGroups: ['*']\n    resources: ['*']\n    verbs: ['*']\n" },
      findings: [{ file: "k8s/admin.yaml", line: 1, object: "ClusterRole/ops", message: /is added with wildcard/ }],
    },
  ],
  passes: [
    { name: "an image bump on an already privileged container", base: edit(app, "k8s/api.yaml", "          ports:\n", "          securityContext:\n            privileged: true\n          ports:\n"), head: edit(edit(app, "k8s/api.yaml", "          ports:\n", "          securityContext:\n            privileged: true\n          ports:\n"), "k8s/api.yaml", "1.14.2", "1.15.0") },
    { name: "capabilities dropped", base: app, head: edit(app, "k8s/api.yaml", "          ports:\n", "          securityContext:\n            capabilities:\n              drop: [ALL]\n          ports:\n") },
    { name: "the Role gains a read of configmaps list", base: app, head: edit(app, "k8s/rbac.yaml", "verbs: [get, watch]", "verbs: [get, watch, list]") },
  ],
});
