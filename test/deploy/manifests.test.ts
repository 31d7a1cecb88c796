/**
 * The deployment as shipped: deploy/ loaded with the yaml package (the kustomization's resources
 * in order), and the Dockerfile read as text. The probes hit the server's real health endpoints,
 * every secret the pods read comes from the documented Secret, the selectors agree.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const ROOT = join(import.meta.dirname, "..", "..");
const DEPLOY = join(ROOT, "deploy");
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function load(file: string): Doc[] {
  return parseAllDocuments(readFileSync(join(DEPLOY, file), "utf8")).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Doc;
  });
}

const kustomization = load("kustomization.yaml")[0]!;
const objects = (kustomization.resources as string[]).flatMap(load);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const app = byKind("Deployment").find((d) => d.metadata.name === "changegate")!;
const container = app.spec.template.spec.containers[0];

describe("deploy/", () => {
  it("runs several replicas behind a Service, kept available by a PodDisruptionBudget", () => {
    expect(app.spec.replicas).toBeGreaterThanOrEqual(2);
    const labels = app.spec.template.metadata.labels;
    const service = byKind("Service").find((s) => s.metadata.name === "changegate")!;
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports[0].targetPort).toBe(container.ports[0].name);
    const pdb = byKind("PodDisruptionBudget")[0]!;
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.minAvailable).toBeLessThan(app.spec.replicas);
  });

  it("probes the server's health endpoints on its port", () => {
    const port = container.ports[0].name;
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port });
    expect(container.startupProbe.httpGet.path).toBe("/healthz");
    // The server answers these paths (src/server/http.ts).
    const http = readFileSync(join(ROOT, "src", "server", "http.ts"), "utf8");
    for (const path of ["/healthz", "/readyz"]) expect(http).toContain(`"${path}"`);
    expect(container.ports[0].containerPort).toBe(Number(container.env.find((e: Doc) => e.name === "PORT").value));
    // Shutdown waits up to 25 s for evaluations: the grace period is longer.
    expect(app.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(25 + (container.lifecycle?.preStop?.sleep?.seconds ?? 0));
  });

  it("takes the app's credentials from the documented Secret and nothing secret from plain values", () => {
    const secretRefs = container.env.filter((e: Doc) => e.valueFrom?.secretKeyRef).map((e: Doc) => e.valueFrom.secretKeyRef);
    expect(secretRefs.map((r: Doc) => r.key).sort()).toEqual(["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]);
    const example = load("secret.example.yaml")[0]!;
    expect(example.kind).toBe("Secret");
    for (const ref of secretRefs) {
      expect(ref.name).toBe(example.metadata.name);
      expect(Object.keys(example.stringData)).toContain(ref.key);
    }
    for (const e of container.env) if (["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"].includes(e.name)) expect(e.value).toBeUndefined();
    // The example Secret is documentation, never applied.
    expect(kustomization.resources).not.toContain("secret.example.yaml");
  });

  it("points REDIS_URL at the Redis it deploys, and requests resources for every container", () => {
    const redisUrl = container.env.find((e: Doc) => e.name === "REDIS_URL").value as string;
    const redisService = byKind("Service").find((s) => s.metadata.name === new URL(redisUrl).hostname);
    expect(redisService).toBeDefined();
    expect(redisService!.spec.ports[0].port).toBe(Number(new URL(redisUrl).port));
    for (const deployment of byKind("Deployment")) for (const c of deployment.spec.template.spec.containers) expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.env.find((e: Doc) => e.name === "NODE_ENV").value).toBe("production");
  });

  it("the Dockerfile runs the same server as npm start, as a non-root user, with a health check", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    const start = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe("node ./dist/src/server/main.js");
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/server\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect((dockerfile.match(/^FROM /gm) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toContain("/usr/local/bin/kubectl");
    // The build stage runs `npm run build`: every script that build runs is copied in before it.
    const build = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.build!;
    const scripts = [...build.matchAll(/\bnode (scripts\/\S+)/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const beforeBuild = dockerfile.slice(0, dockerfile.indexOf("RUN npm run build"));
    for (const script of scripts) expect(beforeBuild, script).toMatch(new RegExp(`^COPY (\\S+ )*(${script}|scripts/?)( |$)`, "m"));
  });
});
