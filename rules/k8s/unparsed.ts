import type { RuleMeta } from "../../src/model/rule.js";

export const unparsed: RuleMeta = {
  id: "k8s/unparsed",
  title: "Manifest could not be read",
  severity: "high",
  category: "integrity",
  why:
    "A manifest that cannot be parsed (a YAML syntax error, tabs used for indentation, an alias bomb, a reference a " +
    "kustomization cannot resolve) cannot be checked for deletions: what it deploys, or stops deploying, is unknown, " +
    "and the delivery tool may refuse it or apply only part of it.",
  safeAlternative: "Fix the file so `kubectl apply --dry-run=client -f` (or `kubectl kustomize`) accepts it, then let the check run again.",
  docs: "docs/rules.md#k8s-unparsed",
  examples: {
    fires: [
      {
        note: "tabs used for indentation",
        base: {},
        head: { "k8s/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: settings\n" },
      },
    ],
    passes: [{ note: "a valid ConfigMap", base: {}, head: { "k8s/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n" } }],
  },
};
