import type { RuleMeta } from "../../src/model/rule.js";

const pod = (security: string) =>
  "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: ops\nspec:\n  selector:\n    matchLabels:\n      app: agent\n" +
  "  template:\n    metadata:\n      labels:\n        app: agent\n    spec:\n      containers:\n        - name: agent\n          image: example/agent:2.1\n" +
  security;

export const privilegeEscalation: RuleMeta = {
  id: "k8s/privilege-escalation",
  title: "Privileges escalated",
  severity: "high",
  category: "security",
  why:
    "A binding to cluster-admin, wildcard RBAC rules, a privileged container, added Linux capabilities, a hostPath " +
    "mount or the host's network, PID or IPC namespace give a workload (or whoever controls it) control of the node or " +
    "the cluster: one compromised pod is then a compromised cluster.",
  safeAlternative:
    "Grant the narrowest Role in one namespace, list verbs and resources explicitly, drop all capabilities and add only " +
    "the one needed, and use a volume type other than hostPath; if host access is really needed, isolate the workload.",
  docs: "docs/rules.md#k8s-privilege-escalation",
  examples: {
    fires: [
      {
        note: "a container becomes privileged",
        base: { "deploy/agent.yaml": pod("") },
        head: { "deploy/agent.yaml": pod("          securityContext:\n            privileged: true\n") },
      },
    ],
    passes: [
      {
        note: "a container drops privileges",
        base: { "deploy/agent.yaml": pod("") },
        head: { "deploy/agent.yaml": pod("          securityContext:\n            allowPrivilegeEscalation: false\n            runAsNonRoot: true\n") },
      },
    ],
  },
};
