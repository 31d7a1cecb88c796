import { rdsModule, runTfRuleTests } from "./tf-rule-tester.js";

const call = (name: string, body: string) => `module "${name}" {\n${body}}\n`;
const root = {
  "envs/prod/main.tf": call("db", '  source = "../../modules/rds"\n  identifier = "prod"\n') + "\n" + call("network", '  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n'),
  "envs/prod/outputs.tf": 'output "db" {\n  value = module.db.db_instance_address\n}\n',
};

runTfRuleTests("tf/module-removed", {
  fires: [
    {
      name: "a module call deleted from a root module",
      base: root,
      head: { ...root, "envs/prod/main.tf": call("network", '  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n') },
      findings: [{ file: "envs/prod/main.tf", line: 1, object: "module.db", side: "base" }],
    },
    {
      name: "source re-pointed at another module",
      base: root,
      head: { ...root, "envs/prod/main.tf": root["envs/prod/main.tf"].replace("../../modules/rds", "../../modules/aurora") },
      findings: [{ file: "envs/prod/main.tf", line: 2, object: "module.db", message: /another module/ }],
    },
    {
      name: "a module's for_each loses a key",
      base: { "envs/main.tf": call("env", '  source   = "./env"\n  for_each = toset(["dev", "staging", "prod"])\n') },
      head: { "envs/main.tf": call("env", '  source   = "./env"\n  for_each = toset(["dev", "staging"])\n') },
      findings: [{ file: "envs/main.tf", line: 3, object: "module.env", message: /"prod"/ }],
    },
    {
      name: "the whole module directory is deleted",
      base: rdsModule("modules/rds"),
      head: {},
      findings: [{ file: "modules/rds/main.tf", line: 1, object: "modules/rds", side: "base", message: /whole Terraform directory/ }],
    },
  ],
  passes: [
    {
      name: "renamed with a moved block",
      base: root,
      head: { ...root, "envs/prod/main.tf": root["envs/prod/main.tf"].replace('module "db"', 'module "database"'), "envs/prod/moved.tf": "moved {\n  from = module.db\n  to   = module.database\n}\n" },
    },
    { name: "a registry module's version bump", base: root, head: { ...root, "envs/prod/main.tf": root["envs/prod/main.tf"].replace('"5.1.0"', '"5.2.0"') } },
    { name: "a git module's ref bump", base: { "m.tf": call("x", '  source = "git::https://example.com/mods.git//db?ref=v1.0.0"\n') }, head: { "m.tf": call("x", '  source = "git::https://example.com/mods.git//db?ref=v1.1.0"\n') } },
    { name: "a module call moved to another file", base: root, head: { "envs/prod/main.tf": call("network", '  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n'), "envs/prod/db.tf": call("db", '  source = "../../modules/rds"\n  identifier = "prod"\n'), "envs/prod/outputs.tf": root["envs/prod/outputs.tf"] } },
  ],
});
