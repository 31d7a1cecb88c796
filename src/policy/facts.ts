import type { AuthorKind } from "../analyzers/types.js";
import type { PullRequestFacts } from "./types.js";

/**
 * Facts for a local scan (the CLI): there is no pull request yet, so nobody has signed off and
 * nothing is looked up. Whatever gates therefore comes out as `needs-signoff` — what the pull
 * request would wait for.
 */
export function localScanFacts(options: {
  authorKind: AuthorKind;
  baseBranch: string;
  headSha: string;
  author?: string;
  committers?: readonly string[];
  agentLogins?: readonly string[];
}): PullRequestFacts {
  const facts: PullRequestFacts = {
    author: options.author ?? "(local)",
    authorKind: options.authorKind,
    committers: [...(options.committers ?? [])],
    baseBranch: options.baseBranch,
    headSha: options.headSha,
    signOffs: [],
    permissions: {},
    teamMembership: {},
  };
  if (options.agentLogins) facts.agentLogins = [...options.agentLogins];
  return facts;
}
