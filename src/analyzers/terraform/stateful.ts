/**
 * Which resource types hold data (destroying or replacing one is critical), and which attributes
 * protect against deletion. From the stateful-types table of the Terraform reference (§4) and the
 * protection checks (TFP-11, TFH-08..11).
 */
import type { Severity } from "../../model/finding.js";
import { isExpression, isObject } from "./hcl.js";

const STATEFUL_TYPES = new Set([
  // AWS
  "aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_rds_global_cluster", "aws_docdb_cluster",
  "aws_docdb_elastic_cluster", "aws_neptune_cluster", "aws_redshift_cluster", "aws_redshiftserverless_namespace",
  "aws_dynamodb_table", "aws_dynamodb_global_table", "aws_s3_bucket", "aws_efs_file_system", "aws_ebs_volume",
  "aws_fsx_lustre_file_system", "aws_fsx_windows_file_system", "aws_fsx_ontap_file_system", "aws_fsx_openzfs_file_system",
  "aws_elasticache_replication_group", "aws_elasticache_cluster", "aws_elasticache_serverless_cache", "aws_memorydb_cluster",
  "aws_opensearch_domain", "aws_elasticsearch_domain", "aws_msk_cluster", "aws_msk_serverless_cluster", "aws_kinesis_stream",
  "aws_sqs_queue", "aws_kms_key", "aws_secretsmanager_secret", "aws_backup_vault", "aws_glacier_vault", "aws_ecr_repository",
  "aws_cognito_user_pool", "aws_route53_zone", "aws_qldb_ledger", "aws_keyspaces_table", "aws_timestreamwrite_table",
  "aws_timestreamwrite_database",
  // Google Cloud
  "google_sql_database_instance", "google_sql_database", "google_storage_bucket", "google_bigquery_dataset",
  "google_bigquery_table", "google_spanner_database", "google_spanner_instance", "google_bigtable_instance",
  "google_bigtable_table", "google_compute_disk", "google_compute_regional_disk", "google_filestore_instance",
  "google_redis_instance", "google_alloydb_cluster", "google_alloydb_instance", "google_firestore_database",
  "google_kms_crypto_key", "google_kms_key_ring", "google_container_cluster", "google_project",
  // Azure
  "azurerm_resource_group", "azurerm_storage_account", "azurerm_storage_container", "azurerm_storage_share",
  "azurerm_storage_data_lake_gen2_filesystem", "azurerm_mssql_database", "azurerm_mssql_server",
  "azurerm_postgresql_flexible_server", "azurerm_postgresql_server", "azurerm_mysql_flexible_server", "azurerm_mysql_server",
  "azurerm_cosmosdb_account", "azurerm_cosmosdb_sql_database", "azurerm_cosmosdb_sql_container", "azurerm_key_vault",
  "azurerm_key_vault_key", "azurerm_key_vault_secret", "azurerm_key_vault_certificate", "azurerm_managed_disk",
  "azurerm_redis_cache", "azurerm_recovery_services_vault", "azurerm_data_protection_backup_vault",
  "azurerm_log_analytics_workspace",
  // Kubernetes and Helm objects managed by Terraform (TFP-20)
  "kubernetes_namespace", "kubernetes_namespace_v1", "kubernetes_persistent_volume_claim",
  "kubernetes_persistent_volume_claim_v1", "kubernetes_persistent_volume", "kubernetes_persistent_volume_v1", "helm_release",
]);

export function isStateful(type: string | undefined): boolean {
  return type !== undefined && STATEFUL_TYPES.has(type);
}

/** Critical for stateful types, otherwise the rule's default. */
export function severityFor(type: string | undefined, otherwise: Severity): Severity {
  return isStateful(type) ? "critical" : otherwise;
}

/** The resource type of an instance address: `module.a["x"].aws_db_instance.main[0]` → `aws_db_instance`. */
export function typeOfAddress(address: string): { type: string; mode: "managed" | "data" } | undefined {
  const parts = withoutIndexes(address)
    .split(".")
    .filter((p) => p !== "");
  while (parts[0] === "module" && parts.length > 2) parts.splice(0, 2);
  if (parts[0] === "data" && parts.length >= 3) return { type: parts[1]!, mode: "data" };
  return parts.length >= 2 ? { type: parts[0]!, mode: "managed" } : undefined;
}

/** What a value is, for protection flags: on, off, or not knowable without evaluating it. */
type Truth = "on" | "off" | "unknown";

function truth(value: unknown): Truth {
  if (value === true) return "on";
  if (value === false || value === null || value === 0) return "off";
  if (typeof value === "string") {
    if (isExpression(value)) return /^\$\{\s*true\s*\}$/.test(value.trim()) ? "on" : /^\$\{\s*false\s*\}$/.test(value.trim()) ? "off" : "unknown";
    const lower = value.trim().toLowerCase();
    if (["true", "active", "enabled", "on", "1"].includes(lower)) return "on";
    if (["false", "inactive", "disabled", "off", "0", ""].includes(lower)) return "off";
  }
  return "unknown";
}

/** Resource types whose `deletion_protection` defaults to on: removing the argument keeps them protected. */
const PROTECTED_BY_DEFAULT = new Set([
  "google_sql_database_instance", "google_bigquery_table", "google_container_cluster", "google_spanner_database",
  "google_bigtable_instance", "google_bigtable_table",
]);

export interface Lowering {
  /** Dotted attribute path, e.g. `deletion_protection`, `lifecycle.prevent_destroy`. */
  path: string;
  /** Shown in the message: `true → false`, `removed`, `→ true`. */
  change: string;
}

/** Flags that protect when on: turning them off or (where the default is off) removing them lowers protection. */
const ON_PROTECTS = new Set([
  "deletion_protection", "deletion_protection_enabled", "enable_deletion_protection", "disable_api_termination",
  "purge_protection_enabled", "termination_protection", "prevent_destroy", "delete_protection",
]);
/** Flags that destroy more when on. */
const ON_DESTROYS = new Set(["force_destroy", "force_delete", "skip_final_snapshot", "skip_final_backup", "delete_contents_on_destroy"]);
/** Attributes whose removal loses the last copy. */
const REMOVAL_LOSES = new Set(["final_snapshot_identifier", "final_snapshot_name"]);
/** The attribute names protectionLowered reads (the last part of a path). */
const JUDGED = new Set([...ON_PROTECTS, ...ON_DESTROYS, ...REMOVAL_LOSES, "enabled", "recovery_window_in_days", "deletion_policy"]);

/**
 * Protection lowered between two bodies of the same block (a resource, a module call's
 * arguments, or a plan's before/after objects).
 */
export function protectionLowered(type: string | undefined, before: Record<string, unknown>, after: Record<string, unknown>, opts: { plan?: boolean } = {}): Lowering[] {
  // Only the attributes judged below: a plan's objects list every attribute of every resource.
  const was = flatten(before, "", new Map(), 0, JUDGED);
  const now = flatten(after, "", new Map(), 0, JUDGED);
  const found: Lowering[] = [];
  const defaultProtected = type !== undefined && PROTECTED_BY_DEFAULT.has(type);
  for (const [path, value] of was) {
    const name = path.split(".").pop()!;
    const parent = path.split(".").slice(-2, -1)[0];
    const present = now.has(path);
    const next = now.get(path);
    if (ON_PROTECTS.has(name) || (name === "enabled" && parent === "point_in_time_recovery")) {
      if (truth(value) === "off") continue;
      if (present && truth(next) === "off") found.push({ path, change: `${show(value)} → ${show(next)}` });
      // A plan lists every attribute; in HCL a removed argument falls back to the provider's default.
      else if (!present && !opts.plan && !(name === "deletion_protection" && defaultProtected) && (name !== "prevent_destroy" || truth(value) === "on")) {
        found.push({ path, change: `${show(value)} → removed` });
      }
    } else if (REMOVAL_LOSES.has(name)) {
      if (value !== null && value !== "" && (!present || next === null || next === "")) found.push({ path, change: "removed" });
    } else if (name === "recovery_window_in_days") {
      if (present && (next === 0 || next === "0") && value !== 0 && value !== "0") found.push({ path, change: `${show(value)} → 0` });
    } else if (name === "deletion_policy") {
      if (present && typeof next === "string" && next.toUpperCase() === "DELETE" && String(value).toUpperCase() !== "DELETE") {
        found.push({ path, change: `${show(value)} → ${show(next)}` });
      }
    }
  }
  for (const [path, value] of now) {
    const name = path.split(".").pop()!;
    if (!ON_DESTROYS.has(name) || truth(value) !== "on") continue;
    const previous = was.get(path);
    if (truth(previous) !== "on") found.push({ path, change: `${was.has(path) ? show(previous) : "unset"} → ${show(value)}` });
  }
  return found;
}

function show(value: unknown): string {
  if (typeof value === "string") return isExpression(value) ? value.trim().slice(2, -1).trim() : JSON.stringify(value);
  return JSON.stringify(value) ?? "null";
}

/**
 * `{a: [{b: 1}]}` → `a.b = 1`: nested blocks come as one-element arrays; longer lists keep their
 * index. With `only`, just the paths whose last part (after the last dot) it holds.
 */
export function flatten(
  body: Record<string, unknown>,
  prefix = "",
  out = new Map<string, unknown>(),
  depth = 0,
  only?: ReadonlySet<string>,
): Map<string, unknown> {
  if (depth > 64) return out;
  for (const [key, value] of Object.entries(body)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value) && value.length > 0 && value.every(isObject)) {
      if (value.length === 1) flatten(value[0] as Record<string, unknown>, path, out, depth + 1, only);
      else value.forEach((v, i) => flatten(v as Record<string, unknown>, `${path}.${i}`, out, depth + 1, only));
    } else if (isObject(value) && key !== "tags" && key !== "labels") {
      flatten(value, path, out, depth + 1, only);
    } else if (!only || only.has(key.slice(key.lastIndexOf(".") + 1))) {
      out.set(path, value);
    }
  }
  return out;
}

/**
 * The address without its index keys: what `.replace(/\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]/g, "")`
 * does, in one pass (the pattern rescans to the end from every `[` that has no `]` after it).
 */
export function withoutIndexes(address: string): string {
  let out = "";
  let at = 0;
  let i = address.indexOf("[");
  while (i >= 0) {
    let end = -1;
    if (address[i + 1] === '"') {
      // A quoted key: `\.` takes any character but a line terminator.
      let j = i + 2;
      while (j < address.length && address[j] !== '"') {
        if (address[j] === "\\") {
          if (j + 1 >= address.length || "\n\r\u2028\u2029".includes(address[j + 1]!)) break;
          j += 2;
        } else j++;
      }
      if (address[j] === '"' && address[j + 1] === "]") end = j + 2;
    }
    if (end < 0) {
      const close = address.indexOf("]", i + 1);
      if (close < 0) break;
      end = close + 1;
    }
    out += address.slice(at, i);
    at = end;
    i = address.indexOf("[", end);
  }
  return out + address.slice(at);
}
