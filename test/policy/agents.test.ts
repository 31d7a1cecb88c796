import { describe, expect, it } from "vitest";
import { agentCoAuthors, authorKindOf, BUILTIN_AGENT_LOGINS, isAgentLogin } from "../../src/policy/agents.js";
import { policy } from "./fakes.js";

const WITH_RELEASE_BOT = policy('version: 1\nagents: { logins: ["acme-release-bot[bot]"] }\n');

describe("agents", () => {
  it("knows the coding agents of the platform facts", () => {
    for (const login of ["Copilot", "copilot-swe-agent[bot]", "devin-ai-integration[bot]", "chatgpt-codex-connector[bot]", "google-labs-jules[bot]", "amazon-q-developer[bot]", "cursor[bot]", "sweep-ai[bot]", "claude[bot]"]) {
      expect(BUILTIN_AGENT_LOGINS).toContain(login);
    }
  });

  it.each([
    ["Copilot", undefined, true],
    ["COPILOT-SWE-AGENT[bot]", undefined, true],
    ["renovate[bot]", undefined, false],
    ["acme-release-bot[bot]", undefined, false],
    ["ACME-release-bot[bot]", WITH_RELEASE_BOT, true],
    ["alice", WITH_RELEASE_BOT, false],
  ])("isAgentLogin(%s)", (login, p, expected) => {
    expect(isAgentLogin(login, p)).toBe(expected);
  });

  it.each([
    [{ login: "alice", type: "User" }, "human"],
    [{ login: "Copilot", type: "Bot" }, "agent"],
    [{ login: "copilot", type: "User" }, "agent"],
    [{ login: "dependabot[bot]", type: "Bot" }, "bot"],
    [{ login: "acme", type: "Organization" }, "bot"],
  ] as const)("authorKindOf(%o) = %s", (account, kind) => {
    expect(authorKindOf(account)).toBe(kind);
  });

  it("authorKindOf honours agents.logins", () => {
    expect(authorKindOf({ login: "acme-release-bot[bot]", type: "Bot" }, WITH_RELEASE_BOT)).toBe("agent");
  });

  it("finds agent co-authors in commit trailers", () => {
    const message = [
      "Drop the legacy table",
      "",
      "Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>",
      "Co-authored-by: Alice Example <alice@example.com>",
      "Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>",
      "co-authored-by: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
      "Co-authored-by: Cursor <cursoragent@cursor.com>",
    ].join("\n");
    expect(agentCoAuthors(message)).toEqual(["copilot-swe-agent[bot]", "Claude Opus 4.5", "Devin", "Cursor"]);
    expect(agentCoAuthors("Fix typo\n\nCo-authored-by: Bob <bob@example.com>\n")).toEqual([]);
    expect(agentCoAuthors("Mentions Co-authored-by: Copilot <x@y> mid-line")).toEqual([]);
  });
});
