// Adds a rule: its record, its own test file, its place in the area index and the pinned catalogue,
// and its docs entry. What is left is the detector (and replacing every TODO the scaffold wrote:
// the catalogue test fails while one remains).
//
//   npm run new-rule -- sql/drop-trigger [--severity high] [--category data-loss]
//   node --import tsx scripts/new-rule.ts ... [--root DIR]   (another checkout; used by its test)
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const AREAS = ["sql", "tf", "k8s", "gate"] as const;
type Area = (typeof AREAS)[number];
const SEVERITIES = ["low", "medium", "high", "critical"];
const CATEGORIES = ["data-loss", "outage", "lock", "integrity", "security", "gate"];

class UsageError extends Error {}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function record(area: Area, name: string, severity: string, category: string): string {
  const id = `${area}/${name}`;
  const examples: Record<Area, string> = {
    sql: `{
    fires: ["-- TODO: a statement this rule reports"],
    passes: ["-- TODO: a statement close to it that it must not report"],
  }`,
    tf: `{
    fires: [{ note: "TODO: what the change does", base: { "infra/main.tf": "# TODO: before\\n" }, head: { "infra/main.tf": "# TODO: after\\n" } }],
    passes: [{ note: "TODO: a change close to it that is safe", base: { "infra/main.tf": "# TODO: before\\n" }, head: { "infra/main.tf": "# TODO: after, safely\\n" } }],
  }`,
    k8s: `{
    fires: [{ note: "TODO: what the change does", base: { "deploy/app.yaml": "# TODO: before\\n" }, head: { "deploy/app.yaml": "# TODO: after\\n" } }],
    passes: [{ note: "TODO: a change close to it that is safe", base: { "deploy/app.yaml": "# TODO: before\\n" }, head: { "deploy/app.yaml": "# TODO: after, safely\\n" } }],
  }`,
    gate: `{
    fires: ["TODO: a change this rule reports"],
    passes: ["TODO: a change close to it that it must not report"],
  }`,
  };
  return `import type { RuleMeta } from "../../src/model/rule.js";

export const ${camel(name)}: RuleMeta = {
  id: "${id}",
  title: "TODO: what the change does, in a few words",
  severity: "${severity}",
  category: "${category}",
  why: "TODO: what the change breaks or loses, for whom, and why it is easy to miss in review: two or three sentences.",
  safeAlternative: "TODO: what to do instead, concretely enough to follow.",
  docs: "docs/rules.md#${id.replace("/", "-")}",
  examples: ${examples[area]},
};
`;
}

function testFile(area: Area, name: string): string {
  const id = `${area}/${name}`;
  switch (area) {
    case "sql":
      return `import { runRuleTests } from "../rule-tester.js";

runRuleTests("${id}", {
  fires: [
    { name: "TODO: the plainest statement it reports", code: "-- TODO", findings: [{ line: 1, object: "TODO" }] },
    { name: "TODO: a realistic migration, with the statement among others", code: "-- TODO: a realistic migration\\n", findings: [{ line: 1, object: "TODO" }] },
  ],
  passes: [{ name: "TODO: the safe form of the same change", code: "-- TODO: the safe form" }],
});
`;
    case "tf":
      return `import { runTfRuleTests } from "./tf-rule-tester.js";

runTfRuleTests("${id}", {
  fires: [
    {
      name: "TODO: the plainest change it reports",
      base: { "infra/main.tf": "# TODO: before\\n" },
      head: { "infra/main.tf": "# TODO: after\\n" },
      findings: [{ file: "infra/main.tf", line: 1, object: "TODO" }],
    },
  ],
  passes: [{ name: "TODO: the safe form of the same change", base: { "infra/main.tf": "# TODO: before\\n" }, head: { "infra/main.tf": "# TODO: after, safely\\n" } }],
});
`;
    case "k8s":
      return `import { runK8sRuleTests } from "./harness.js";

runK8sRuleTests("${id}", {
  fires: [
    {
      name: "TODO: the plainest change it reports",
      base: { "deploy/app.yaml": "# TODO: before\\n" },
      head: { "deploy/app.yaml": "# TODO: after\\n" },
      findings: [{ file: "deploy/app.yaml", line: 1, object: "TODO" }],
    },
  ],
  passes: [{ name: "TODO: the safe form of the same change", base: { "deploy/app.yaml": "# TODO: before\\n" }, head: { "deploy/app.yaml": "# TODO: after, safely\\n" } }],
});
`;
    case "gate":
      return `import { describe, expect, it } from "vitest";
import { ${camel(name)} } from "../../../rules/gate/${name}.js";
import { changeFindings } from "../examples.js";

const ofRule = async (base: Record<string, string>, head: Record<string, string>) =>
  (await changeFindings({ base, head })).filter((f) => f.rule === ${camel(name)}.id).map((f) => \`\${f.file}:\${f.line} \${f.severity}\`);

describe("${id}", () => {
  it("TODO: fires on the plainest change it reports", async () => {
    expect(await ofRule({}, { "TODO.txt": "TODO\\n" })).toEqual([\`TODO.txt:1 \${${camel(name)}.severity}\`]);
  });

  it("TODO: does not fire on the safe form of the same change", async () => {
    expect(await ofRule({}, { "TODO-safe.txt": "TODO\\n" })).toEqual([]);
  });
});
`;
  }
}

/** Inserts `line` into the sorted run of lines matching `pattern`, keeping the order. */
function insertSorted(text: string, pattern: RegExp, line: string, key: (l: string) => string): string {
  const lines = text.split("\n");
  const matching = lines.map((l, i) => (pattern.test(l) ? i : -1)).filter((i) => i >= 0);
  if (matching.length === 0) throw new Error(`no line matching ${pattern} to insert next to`);
  const after = matching.filter((i) => key(lines[i]!) < key(line)).pop();
  lines.splice(after === undefined ? matching[0]! : after + 1, 0, line);
  return lines.join("\n");
}

export function newRule(root: string, id: string, options: { severity?: string; category?: string } = {}): string[] {
  const match = /^([a-z0-9]+)\/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$/.exec(id);
  if (!match) throw new UsageError(`"${id}" is not an id of the form area/kebab-name (sql/drop-trigger)`);
  const area = match[1] as Area;
  const name = match[2]!;
  if (!AREAS.includes(area)) throw new UsageError(`unknown area "${area}": one of ${AREAS.join(", ")}`);
  const severity = options.severity ?? "high";
  const category = options.category ?? (area === "gate" ? "gate" : "data-loss");
  if (!SEVERITIES.includes(severity)) throw new UsageError(`--severity is one of ${SEVERITIES.join(", ")}`);
  if (!CATEGORIES.includes(category)) throw new UsageError(`--category is one of ${CATEGORIES.join(", ")}`);

  const recordPath = join(root, "rules", area, `${name}.ts`);
  const testPath = join(root, "test", "rules", area, `${name}.test.ts`);
  const indexPath = join(root, "rules", area, "index.ts");
  const cataloguePath = join(root, "test", "rules", "catalogue.test.ts");
  for (const path of [recordPath, testPath]) if (existsSync(path)) throw new UsageError(`${relative(root, path)} exists already`);
  const index = readFileSync(indexPath, "utf8");
  if (new RegExp(`export \\{ ${camel(name)} \\}`).test(index)) throw new UsageError(`rules/${area}/index.ts exports ${camel(name)} already`);
  const catalogue = readFileSync(cataloguePath, "utf8");
  if (catalogue.includes(`  "${id}",`)) throw new UsageError(`${id} is pinned already`);

  writeFileSync(recordPath, record(area, name, severity, category));
  writeFileSync(testPath, testFile(area, name));
  writeFileSync(indexPath, insertSorted(index, /^export \{ \w+ \} from "\.\/[\w-]+\.js";$/, `export { ${camel(name)} } from "./${name}.js";`, (l) => /"\.\/([\w-]+)\.js"/.exec(l)![1]!));
  writeFileSync(cataloguePath, insertSorted(catalogue, /^ {2}"[a-z0-9]+\/[a-z0-9-]+",$/, `  "${id}",`, (l) => l.trim()));
  execFileSync(process.execPath, ["--import", "tsx", join(root, "scripts", "gen-rule-docs.ts")], { cwd: root, stdio: "ignore" });
  return [recordPath, testPath, indexPath, cataloguePath, join(root, "docs", "rules.md")].map((p) => relative(root, p));
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { severity: { type: "string" }, category: { type: "string" }, root: { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("usage: npm run new-rule -- <area>/<name> [--severity LEVEL] [--category CATEGORY]");
  const id = positionals[0]!;
  const root = values.root ?? join(dirname(fileURLToPath(import.meta.url)), "..");
  const written = newRule(root, id, { ...(values.severity ? { severity: values.severity } : {}), ...(values.category ? { category: values.category } : {}) });
  const area = id.split("/")[0]!;
  console.log(`Wrote ${written.join(", ")}.

Next:
  1. Replace every TODO in ${written[0]} and ${written[1]} (the catalogue test fails while one is left).
  2. Report it from the detector: import * as rules from ".../rules/${area}/index.js" and report rules.${camel(id.split("/")[1]!)}.
  3. npx vitest run ${written[1]} test/rules/catalogue.test.ts, then node --import tsx scripts/gen-rule-docs.ts.`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`new-rule: ${error.message}`);
    process.exitCode = 2;
  }
}
