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

/** The one set of coding-agent logins, lower-case: the built-in list, the policy's `agents.logins` and any extra. */
export function agentLoginSet(policy?: AgentConfig, extra: readonly string[] = []): Set<string> {
  return new Set([...BUILTIN_AGENT_LOGINS, ...(policy?.agents?.logins ?? []), ...extra].map((l) => l.toLowerCase()));
}

/** Whether `login` is a known coding agent: the built-in list plus the policy's `agents.logins`. */
export function isAgentLogin(login: string, policy?: AgentConfig, extra: readonly string[] = []): boolean {
  return agentLoginSet(policy, extra).has(login.toLowerCase());
}

/** The author kind of an account: a `User` is human unless it is a known agent; a `Bot` is an agent when known, else a bot. */
export function authorKindOf(account: { login: string; type: string }, policy?: AgentConfig): AuthorKind {
  if (isAgentLogin(account.login, policy)) return "agent";
  return account.type === "User" ? "human" : "bot";
}

const TRAILER_KEY = "co-authored-by:";

/**
 * Every `Co-authored-by: Name <email>` trailer of a commit message, one per line. Read by hand, not
 * by a regular expression: commit messages are written by whoever pushes, and a pattern with
 * adjacent `\s*` and lazy groups backtracks in cubic time on a line of spaces. Linear in the message.
 */
export function coAuthorTrailers(message: string): { name: string; email: string }[] {
  const found: { name: string; email: string }[] = [];
  let start = 0;
  while (start <= message.length) {
    let end = message.indexOf("\n", start);
    if (end < 0) end = message.length;
    const line = message.slice(start, end).trim();
    start = end + 1;
    if (line.length < TRAILER_KEY.length || line.slice(0, TRAILER_KEY.length).toLowerCase() !== TRAILER_KEY) continue;
    const rest = line.slice(TRAILER_KEY.length);
    // The address ends the line: `Name <email>` and nothing after it.
    if (!rest.endsWith(">")) continue;
    const open = rest.lastIndexOf("<");
    if (open < 0) continue;
    const email = rest.slice(open + 1, -1);
    if (email.includes(">")) continue;
    found.push({ name: rest.slice(0, open).trim(), email: email.trim() });
  }
  return found;
}

/** The login of a GitHub no-reply address (`12345+login@users.noreply.github.com`), if it is one. */
export function noreplyLogin(email: string): string | undefined {
  const lower = email.toLowerCase();
  if (!lower.endsWith("@users.noreply.github.com")) return undefined;
  const local = lower.slice(0, lower.indexOf("@"));
  const plus = local.indexOf("+");
  const login = plus >= 0 && /^\d+$/.test(local.slice(0, plus)) ? local.slice(plus + 1) : local;
  return login === "" ? undefined : login;
}

/**
 * The `Co-authored-by` trailers of a commit message that name a known coding agent, as written
 * (`copilot-swe-agent[bot]`, `Claude Opus 4.5`). Only a hint: trailers can be removed or forged.
 */
export function agentCoAuthors(commitMessage: string, policy?: AgentConfig): string[] {
  const agents = agentLoginSet(policy);
  const found: string[] = [];
  for (const trailer of coAuthorTrailers(commitMessage)) {
    const name = trailer.name;
    const email = trailer.email.toLowerCase();
    const login = noreplyLogin(email);
    const isAgent =
      agents.has(name.toLowerCase()) ||
      (login !== undefined && agents.has(login)) ||
      AGENT_EMAILS.includes(email) ||
      AGENT_NAMES.includes(name.toLowerCase());
    if (isAgent && !found.includes(name)) found.push(name);
  }
  return found;
}
