import type { Side } from "../model/finding.js";

/**
 * The seam between where a change comes from (git, the GitHub API, memory in tests) and the
 * pure analysis. Paths are repository-relative with forward slashes.
 */
export type ChangeStatus = "added" | "modified" | "deleted" | "renamed";

export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** For renames: the path on the base side. */
  previousPath?: string;
}

export interface ChangeListing {
  files: ChangedFile[];
  /** Set when the listing is known to be partial (GitHub lists at most 3,000 files of a pull request). */
  truncated?: { reason: string };
}

export interface Source {
  /** The base revision (a commit SHA where known). */
  readonly base: string;
  /** The head revision (a commit SHA where known). */
  readonly head: string;
  changedFiles(): Promise<ChangeListing>;
  /** A file's bytes at one side, or null when the path does not exist there. Throws `SourceError` when it cannot tell. */
  read(side: Side, path: string): Promise<Uint8Array | null>;
  /** Every file path below `dir` (recursive) at one side; `""` lists the whole tree. */
  list(side: Side, dir: string): Promise<string[]>;
  /** A hint that `list` will be asked for these directories at both sides: start now if listing costs a request. */
  warm?(dirs: readonly string[]): void;
  /** Releases what the source holds open (the git reader process). Reads after it may fail. */
  close?(): Promise<void>;
}

/** A source could not answer: the analysis of what it could not read must fail closed. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly path?: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "SourceError";
  }
}
