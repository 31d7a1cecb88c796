/**
 * The findings digest: what a sign-off is bound to (DESIGN §4). It covers what each gating
 * finding is about — rule, file, object, severity, side and the normalised statement with all its
 * operands (`Finding.statement`; the message, for findings that carry none) — and not where it
 * sits, so a push that only moves unrelated lines keeps every sign-off, while a new or different
 * finding, or any changed operand of a gating statement, voids them.
 */
import { createHash } from "node:crypto";
import type { Finding } from "../model/finding.js";

const DIGEST_VERSION = "v1";

/** The statement identity of a finding without a `statement`: its message without line references, whitespace or case differences. */
function messageIdentity(message: string): string {
  return message
    .replace(/\b(?:lines?|L)\s*\d+(?:\s*[-–]\s*\d+)?\b/gi, "")
    .replace(/:\d+(?::\d+)?\b/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/** A stable sha256 (hex, prefixed `v1:`) of the given findings, independent of their order and line numbers. */
export function findingsDigest(findings: readonly Finding[]): string {
  const lines = findings
    // The statement is hashed as the analyzer normalised it (operand case can matter: 'A' ≠ 'a').
    .map((f) => JSON.stringify([f.rule, f.file, f.object ?? "", f.severity, f.side, f.statement !== undefined ? `s:${f.statement}` : `m:${messageIdentity(f.message)}`]))
    .sort();
  const hash = createHash("sha256");
  hash.update(DIGEST_VERSION);
  for (const line of lines) hash.update(`\n${line}`);
  return `${DIGEST_VERSION}:${hash.digest("hex")}`;
}
