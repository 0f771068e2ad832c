// What selection asks of LLVM's history, answered by a git repository (git-history.ts) or the
// GitHub API (github-history.ts). The selection rules (rules.ts, gate.ts) see only this interface.
import { parseLlvmVersionCmake } from "../source/llvm-version.js";

export interface CommitInfo {
  commit: string;
  /** Committer date, ISO-8601. */
  date: string;
  author: string;
  subject: string;
}

export interface RefCandidate {
  kind: "branch" | "tag" | "commit";
  name: string;
  commit: string;
}

export interface LlvmHistory {
  readonly description: string;
  /** Everything `ref` can name: a branch, a tag (peeled to its commit), commits with that prefix. */
  refCandidates(ref: string): Promise<RefCandidate[]>;
  hasBranch(branch: string): Promise<boolean>;
  /** The newest commit of `branch` (following first parents) committed at or before `cutoff`. */
  branchCommitAt(branch: string, cutoff: string): Promise<CommitInfo | undefined>;
  commitInfo(commit: string): Promise<CommitInfo>;
  /** X.Y.Z[-rcN] from cmake/Modules/LLVMVersion.cmake (or llvm/CMakeLists.txt in older trees). */
  llvmVersionAt(commit: string): Promise<string>;
  /** Paths that differ between two commits; `complete` is false when the source truncated the list. */
  changedFiles(from: string, to: string): Promise<{ files: string[]; complete: boolean }>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Commits in from..to, newest first, with the paths each changed. */
  commitsBetween(from: string, to: string): Promise<Array<CommitInfo & { files: string[] }>>;
  /** Tags named llvmorg-*, newest first. */
  releaseTags(): Promise<string[]>;
}

/** LLVM's own version text from a version CMake file; suffixes other than rcN (e.g. "git") are dropped. */
export function llvmVersionFromCmake(text: string, where: string): string {
  const v = parseLlvmVersionCmake(text, where);
  const rc = /^-?(rc\d+)$/.exec(v.suffix)?.[1];
  return `${v.major}.${v.minor}.${v.patch}${rc ? `-${rc}` : ""}`;
}

/** Where a tree declares its LLVM version, newest layout first. */
export const VERSION_FILES = ["cmake/Modules/LLVMVersion.cmake", "llvm/CMakeLists.txt"];
