/**
 * Who is a coding agent. GitHub has no "agent" account type: agents act through Bot accounts
 * (`copilot-swe-agent[bot]`) or special logins (`Copilot`), so changegate keeps a list
 * (reference/github-platform-facts.md §4.5) that a policy can extend with `agents.logins`.
 * Trailers can be switched off, so their absence never proves a human author.
 */
import type { AuthorKind } from "../analyzers/types.js";

/** Logins of known coding agents (compared case-insensitively). */
export const BUILTIN_AGENT_LOGINS: readonly string[] = [
  "Copilot",
  "copilot-swe-agent",
  "copilot-swe-agent[bot]",
  "copilot-pull-request-reviewer[bot]",
  "devin-ai-integration[bot]",
  "chatgpt-codex-connector[bot]",
  "google-labs-jules[bot]",
  "amazon-q-developer[bot]",
  "cursor[bot]",
  "sweep-ai[bot]",
  "claude[bot]",
  "coderabbitai[bot]",
  "gemini-code-assist[bot]",
  "sourcegraph-cody[bot]",
  "openhands-agent",
];

/** Commit e-mail addresses agents write as author or co-author. */
const AGENT_EMAILS: readonly string[] = ["noreply@anthropic.com", "cursoragent@cursor.com", "openhands@all-hands.dev", "aider@aider.chat"];
/** Trailer names agents use (the name part of `Co-authored-by: Name <email>`), lower-case. */
const AGENT_NAMES: readonly string[] = ["cursor", "cursor agent", "devin", "openhands", "aider", "copilot"];

interface AgentConfig {
  agents?: { logins?: readonly string[] };
}

function agentSet(policy?: AgentConfig, extra: readonly string[] = []): Set<string> {
  return new Set([...BUILTIN_AGENT_LOGINS, ...(policy?.agents?.logins ?? []), ...extra].map((l) => l.toLowerCase()));
}

/** Whether `login` is a known coding agent: the built-in list plus the policy's `agents.logins`. */
export function isAgentLogin(login: string, policy?: AgentConfig, extra: readonly string[] = []): boolean {
  return agentSet(policy, extra).has(login.toLowerCase());
}

/** The author kind of an account: a `User` is human unless it is a known agent; a `Bot` is an agent when known, else a bot. */
export function authorKindOf(account: { login: string; type: string }, policy?: AgentConfig): AuthorKind {
  if (isAgentLogin(account.login, policy)) return "agent";
  return account.type === "User" ? "human" : "bot";
}

const TRAILER = /^co-authored-by:\s*(.*?)\s*<([^>]*)>\s*$/gim;

/**
 * The `Co-authored-by` trailers of a commit message that name a known coding agent, as written
 * (`copilot-swe-agent[bot]`, `Claude Opus 4.5`). Only a hint: trailers can be removed or forged.
 */
export function agentCoAuthors(commitMessage: string, policy?: AgentConfig): string[] {
  const agents = agentSet(policy);
  const found: string[] = [];
  for (const match of commitMessage.matchAll(TRAILER)) {
    const name = match[1]!.trim();
    const email = match[2]!.trim().toLowerCase();
    const local = email.split("@")[0] ?? "";
    // GitHub no-reply addresses: `12345+login@users.noreply.github.com`.
    const noreplyLogin = email.endsWith("@users.noreply.github.com") ? local.replace(/^\d+\+/, "") : undefined;
    const isAgent =
      agents.has(name.toLowerCase()) ||
      (noreplyLogin !== undefined && agents.has(noreplyLogin)) ||
      AGENT_EMAILS.includes(email) ||
      AGENT_NAMES.includes(name.toLowerCase());
    if (isAgent && !found.includes(name)) found.push(name);
  }
  return found;
}
