// LLVM's history from git: a local repository (work tree or bare), or a remote mirrored (blobless)
// into a cache directory. git runs through exec/command.ts.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { commandResult } from "../exec/command.js";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import { parseFlag } from "../schema/parse.js";
import { GitRemote } from "../schema/strings.js";
import { sha256Hex } from "../util/hash.js";
import { type CommitInfo, type LlvmHistory, llvmVersionFromCmake, type RefCandidate, VERSION_FILES } from "./history.js";

const lastLine = (s: string): string => s.trim().split("\n").filter((l) => l.trim()).pop() ?? "";

export class GitHistory implements LlvmHistory {
  private constructor(
    readonly gitDir: string,
    readonly description: string,
  ) {}

  /** A local repository (work tree or bare), or a remote URL mirrored (blobless) under cacheDir. */
  static async open(location: string, cacheDir?: string): Promise<GitHistory> {
    parseFlag(GitRemote, location, "LLVM repository");
    const isRemote = /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || /^[^/]+@[^:]+:/.test(location);
    if (!isRemote) {
      if (!existsSync(location)) throw new InvalidInputError(`LLVM repository ${location} does not exist`);
      const r = await commandResult(["git", "-C", location, "rev-parse", "--absolute-git-dir"]);
      if (r.exitCode !== 0) throw new InvalidInputError(`LLVM repository ${location} is not a git repository`);
      return new GitHistory(r.stdout.trim(), `git ${location}`);
    }
    if (!cacheDir) throw new InvalidInputError(`a remote LLVM repository (${location}) needs a cache directory to mirror it into`);
    const dir = join(cacheDir, "llvm-history", sha256Hex(location).slice(0, 16));
    mkdirSync(join(cacheDir, "llvm-history"), { recursive: true });
    const git = async (args: string[]): Promise<void> => {
      const r = await commandResult(["git", ...args]);
      if (r.exitCode !== 0) throw new InvalidInputError(`git ${args[0] === "-C" ? args[2] : args[0]} of the mirror failed for ${location}: ${lastLine(r.stderr)}; check the repository URL or path`);
    };
    // Blobless: history and trees for selection; the few version files are fetched on demand.
    if (!existsSync(join(dir, "HEAD"))) await git(["clone", "--quiet", "--mirror", "--filter=blob:none", "--", location, dir]);
    else await git(["-C", dir, "fetch", "--quiet", "--prune", "--tags", "origin"]);
    return new GitHistory(dir, `git ${location}`);
  }

  private async git(args: string[], okCodes: number[] = [0]): Promise<{ stdout: string; exitCode: number }> {
    const r = await commandResult(["git", "--git-dir", this.gitDir, ...args]);
    const exitCode = r.exitCode;
    if (!okCodes.includes(exitCode)) {
      const missing = /bad revision|unknown revision|Not a valid (object|commit) name|bad object|invalid object name|does not exist in/i.test(r.stderr);
      if (missing) throw new InvalidInputError(`${this.description}: ${lastLine(r.stderr)}; fetch the clone (git fetch) or fix the commit id`);
      throw new CheckFailedError(`git ${args[0]} (${this.description}) exited ${exitCode}: ${lastLine(r.stderr)}`);
    }
    return { stdout: r.stdout, exitCode };
  }

  async refCandidates(ref: string): Promise<RefCandidate[]> {
    const out: RefCandidate[] = [];
    const refs = await this.git([
      "for-each-ref",
      "--format=%(refname)%00%(objectname)%00%(*objectname)",
      `refs/heads/${ref}`,
      `refs/tags/${ref}`,
    ]);
    for (const line of refs.stdout.split("\n").filter(Boolean)) {
      const [name = "", obj = "", peeled = ""] = line.split("\0");
      if (name === `refs/heads/${ref}`) out.push({ kind: "branch", name, commit: obj });
      if (name === `refs/tags/${ref}`) out.push({ kind: "tag", name, commit: peeled || obj });
    }
    if (/^[0-9a-f]{4,40}$/.test(ref)) {
      const r = await this.git(["rev-parse", `--disambiguate=${ref}`], [0, 1, 128]);
      const objects = r.stdout.split("\n").filter(Boolean);
      if (objects.length) {
        const types = await commandResult(["git", "--git-dir", this.gitDir, "cat-file", "--batch-check=%(objectname) %(objecttype)"], { input: `${objects.join("\n")}\n` });
        for (const line of types.stdout.split("\n")) {
          const [sha, type] = line.split(" ");
          if (sha && type === "commit") out.push({ kind: "commit", name: sha, commit: sha });
        }
      }
    }
    return out;
  }

  async hasBranch(branch: string): Promise<boolean> {
    return (await this.git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], [0, 1])).exitCode === 0;
  }

  async branchCommitAt(branch: string, cutoff: string): Promise<CommitInfo | undefined> {
    const epoch = Math.floor(Date.parse(cutoff) / 1000);
    const r = await this.git(["rev-list", "-1", "--first-parent", `--min-age=${epoch}`, "--end-of-options", `refs/heads/${branch}`]);
    const commit = r.stdout.trim();
    return commit ? this.commitInfo(commit) : undefined;
  }

  async commitInfo(commit: string): Promise<CommitInfo> {
    const r = await this.git(["show", "-s", "--format=%H%x00%cI%x00%an%x00%s", "--end-of-options", commit]);
    const [sha = "", date = "", author = "", subject = ""] = r.stdout.trim().split("\0");
    return { commit: sha, date: new Date(date).toISOString(), author, subject };
  }

  async llvmVersionAt(commit: string): Promise<string> {
    for (const f of VERSION_FILES) {
      const r = await this.git(["show", "--end-of-options", `${commit}:${f}`], [0, 128]);
      if (r.exitCode === 0 && /LLVM_VERSION_MAJOR/.test(r.stdout)) return llvmVersionFromCmake(r.stdout, `${f} at ${commit.slice(0, 12)}`);
    }
    throw new InvalidInputError(`commit ${commit.slice(0, 12)} has no LLVM version file (${VERSION_FILES.join(", ")}): not an LLVM tree?`);
  }

  async changedFiles(from: string, to: string): Promise<{ files: string[]; complete: boolean }> {
    const r = await this.git(["diff", "--name-only", "--no-renames", "-z", "--end-of-options", from, to]);
    return { files: r.stdout.split("\0").filter(Boolean), complete: true };
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    for (const c of [ancestor, descendant]) {
      if ((await this.git(["cat-file", "-e", "--end-of-options", `${c}^{commit}`], [0, 1, 128])).exitCode !== 0)
        throw new InvalidInputError(`fetch the clone: commit ${c} is missing from ${this.description} (run git fetch there, or pass the right --repo)`);
    }
    return (await this.git(["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant], [0, 1])).exitCode === 0;
  }

  async commitsBetween(from: string, to: string): Promise<Array<CommitInfo & { files: string[] }>> {
    const r = await this.git([
      "log",
      "--first-parent",
      "--diff-merges=first-parent",
      "--no-renames",
      "--name-only",
      "--format=%x1e%H%x00%cI%x00%an%x00%s",
      "--end-of-options",
      `${from}..${to}`,
    ]);
    return r.stdout
      .split("\x1e")
      .filter((s) => s.trim())
      .map((block) => {
        const [head = "", ...files] = block.split("\n");
        const [commit = "", date = "", author = "", subject = ""] = head.split("\0");
        return { commit, date: new Date(date).toISOString(), author, subject, files: files.filter(Boolean) };
      });
  }

  async releaseTags(): Promise<string[]> {
    const r = await this.git(["for-each-ref", "--sort=-creatordate", "--format=%(refname:short)", "refs/tags/llvmorg-*"]);
    return r.stdout.split("\n").filter(Boolean);
  }
}
