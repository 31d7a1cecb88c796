import type { Side } from "../model/finding.js";
import { SourceError, type ChangedFile, type ChangeListing, type Source } from "./source.js";
import { compareText } from "../util/compare.js";

export type Tree = Record<string, string | Uint8Array>;

/**
 * An in-memory source for tests: two trees, the change computed from them. `failReads` and
 * `truncated` are the error knobs (policy-bot's pulltest style).
 */
export class MemorySource implements Source {
  readonly base: string;
  readonly head: string;
  readonly reads: string[] = [];

  constructor(
    private readonly baseTree: Tree,
    private readonly headTree: Tree,
    private readonly options: {
      base?: string;
      head?: string;
      renames?: Record<string, string>;
      truncated?: string;
      failReads?: (side: Side, path: string) => boolean;
    } = {},
  ) {
    this.base = options.base ?? "base";
    this.head = options.head ?? "head";
  }

  async changedFiles(): Promise<ChangeListing> {
    const files: ChangedFile[] = [];
    const renamedFrom = new Map(Object.entries(this.options.renames ?? {}).map(([from, to]) => [to, from]));
    const renamedSources = new Set(renamedFrom.values());
    for (const [path, content] of Object.entries(this.headTree)) {
      const previousPath = renamedFrom.get(path);
      if (previousPath !== undefined) {
        files.push({ path, status: "renamed", previousPath });
      } else if (!(path in this.baseTree)) {
        files.push({ path, status: "added" });
      } else if (!sameContent(this.baseTree[path]!, content)) {
        files.push({ path, status: "modified" });
      }
    }
    for (const path of Object.keys(this.baseTree)) {
      if (!(path in this.headTree) && !renamedSources.has(path)) files.push({ path, status: "deleted" });
    }
    files.sort((a, b) => compareText(a.path, b.path));
    return this.options.truncated ? { files, truncated: { reason: this.options.truncated } } : { files };
  }

  async read(side: Side, path: string): Promise<Uint8Array | null> {
    this.reads.push(`${side}:${path}`);
    if (this.options.failReads?.(side, path)) throw new SourceError(`cannot read ${path} at ${side}`, path, true);
    const content = (side === "base" ? this.baseTree : this.headTree)[path];
    if (content === undefined) return null;
    return typeof content === "string" ? new TextEncoder().encode(content) : content;
  }

  async list(side: Side, dir: string): Promise<string[]> {
    const prefix = dir === "" || dir.endsWith("/") ? dir : `${dir}/`;
    return Object.keys(side === "base" ? this.baseTree : this.headTree)
      .filter((p) => p.startsWith(prefix))
      .sort();
  }
}

function sameContent(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ta = typeof a === "string" ? a : Buffer.from(a).toString("latin1");
  const tb = typeof b === "string" ? b : Buffer.from(b).toString("latin1");
  return ta === tb;
}
