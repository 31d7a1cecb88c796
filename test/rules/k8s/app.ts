/**
 * A realistic application for the k8s rule tests: a shop with a namespace, an API, a database,
 * configuration, an ingress and RBAC, several objects per file, next to YAML that is not
 * Kubernetes (a CI workflow, Helm-style values, docker-compose) under the same roots.
 */
import type { Tree } from "../../../src/source/memory.js";

export const NAMESPACE = `# The shop's namespace and its quota.
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    team: commerce
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: shop-quota
  namespace: shop
spec:
  hard:
    requests.cpu: "20"
    requests.memory: 64Gi
`;

export const API = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    app: api
spec:
  replicas: 3
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example.com/shop/api:1.14.2
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: api-settings
            - secretRef:
                name: api-secrets
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector:
    app: api
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
  namespace: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  minReplicas: 3
  maxReplicas: 12
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`;

export const DATABASE = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
  namespace: shop
spec:
  serviceName: postgres
  replicas: 1
  selector:
    matchLabels:
      app: postgres
  template:
    metadata:
      labels:
        app: postgres
    spec:
      containers:
        - name: postgres
          image: postgres:16.4
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: ssd
        resources:
          requests:
            storage: 100Gi
---
apiVersion: v1
kind: Service
metadata:
  name: postgres
  namespace: shop
spec:
  clusterIP: None
  selector:
    app: postgres
  ports:
    - port: 5432
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: backups
  namespace: shop
spec:
  accessModes: [ReadWriteMany]
  storageClassName: nfs
  resources:
    requests:
      storage: 500Gi
`;

export const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: api-settings
  namespace: shop
data:
  LOG_LEVEL: info
  PAYMENT_PROVIDER: stripe
---
apiVersion: v1
kind: Secret
metadata:
  name: api-secrets
  namespace: shop
type: Opaque
stringData:
  DATABASE_URL: postgres://shop@postgres:5432/shop
`;

export const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /api
            pathType: Prefix
            backend:
              service:
                name: api
                port:
                  number: 80
`;

export const RBAC = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: api
  namespace: shop
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: api
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: api
subjects:
  - kind: ServiceAccount
    name: api
    namespace: shop
`;

/** YAML under the manifest roots that is not Kubernetes. */
export const NOT_KUBERNETES: Tree = {
  "deploy/docker-compose.yml": `services:\n  api:\n    image: registry.example.com/shop/api:1.14.2\n    ports: ["8080:8080"]\n  db:\n    image: postgres:16.4\n    volumes: [pgdata:/var/lib/postgresql/data]\nvolumes:\n  pgdata: {}\n`,
  "deploy/values.yaml": `replicaCount: 3\nimage:\n  repository: registry.example.com/shop/api\n  tag: 1.14.2\npersistence:\n  enabled: true\n  size: 100Gi\n`,
  "deploy/ci.yml": `name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/\n`,
};

export function shopApp(): Tree {
  return {
    "k8s/namespace.yaml": NAMESPACE,
    "k8s/api.yaml": API,
    "k8s/database.yaml": DATABASE,
    "k8s/config.yaml": CONFIG,
    "k8s/ingress.yaml": INGRESS,
    "k8s/rbac.yaml": RBAC,
    ...NOT_KUBERNETES,
  };
}

/** The app with one file's text replaced (`from` must occur). */
export function edit(tree: Tree, path: string, from: string | RegExp, to: string): Tree {
  const text = String(tree[path]);
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit of ${path}: ${String(from)} not found`);
  return { ...tree, [path]: next };
}

export function without(tree: Tree, ...paths: string[]): Tree {
  const out = { ...tree };
  for (const path of paths) delete out[path];
  return out;
}

/** The 1-based line where the object of `kind` named `name` starts in `text`. */
export function objectLine(text: string, kind: string, name: string): number {
  const lines = text.split("\n");
  let start = 1;
  let seenKind = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "---") {
      start = i + 2;
      seenKind = false;
      continue;
    }
    if (line === `kind: ${kind}`) seenKind = true;
    if (seenKind && line === `  name: ${name}`) return firstContentLine(lines, start);
  }
  throw new Error(`${kind} ${name} not found`);
}

function firstContentLine(lines: string[], start: number): number {
  let line = start;
  while (line <= lines.length && (lines[line - 1]!.startsWith("#") || lines[line - 1]!.trim() === "")) line++;
  return line;
}
