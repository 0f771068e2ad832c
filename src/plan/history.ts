// The I/O edge of selection: what select needs to know about LLVM's history, from a git
// repository (a local clone, or a remote mirrored into a cache directory) or the GitHub API.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { Octokit } from "octokit";
import { githubCall, makeOctokit, parseGithubRepo } from "../external/github.js";
import { CheckFailedError, InvalidInputError } from "../errors.js";
import { parseFlag } from "../schema/parse.js";
import { GitCommit, GitRemote } from "../schema/strings.js";
import { parseLlvmVersionCmake } from "../source/llvm-version.js";
import { sha256Hex } from "../util/hash.js";

const lastLine = (s: string): string => s.trim().split("\n").filter((l) => l.trim()).pop() ?? "";

/** A commit id given by a user or a manifest: 40 hex, or refused before it reaches git. */
export const checkCommit = (c: string, what: string): string => parseFlag(GitCommit, c, what);

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

const VERSION_FILES = ["cmake/Modules/LLVMVersion.cmake", "llvm/CMakeLists.txt"];

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
      const r = await execa("git", ["-C", location, "rev-parse", "--absolute-git-dir"], { reject: false });
      if (r.exitCode !== 0) throw new InvalidInputError(`LLVM repository ${location} is not a git repository`);
      return new GitHistory(r.stdout.trim(), `git ${location}`);
    }
    if (!cacheDir) throw new InvalidInputError(`a remote LLVM repository (${location}) needs a cache directory to mirror it into`);
    const dir = join(cacheDir, "llvm-history", sha256Hex(location).slice(0, 16));
    mkdirSync(join(cacheDir, "llvm-history"), { recursive: true });
    const git = async (args: string[]): Promise<void> => {
      const r = await execa("git", args, { reject: false });
      if (r.exitCode !== 0) throw new InvalidInputError(`git ${args[0] === "-C" ? args[2] : args[0]} of the mirror failed for ${location}: ${lastLine(r.stderr)}; check the repository URL or path`);
    };
    // Blobless: history and trees for selection; the few version files are fetched on demand.
    if (!existsSync(join(dir, "HEAD"))) await git(["clone", "--quiet", "--mirror", "--filter=blob:none", "--", location, dir]);
    else await git(["-C", dir, "fetch", "--quiet", "--prune", "--tags", "origin"]);
    return new GitHistory(dir, `git ${location}`);
  }

  private async git(args: string[], okCodes: number[] = [0]): Promise<{ stdout: string; exitCode: number }> {
    const r = await execa("git", ["--git-dir", this.gitDir, ...args], { reject: false, stripFinalNewline: false });
    const exitCode = r.exitCode ?? 1;
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
        const types = await execa("git", ["--git-dir", this.gitDir, "cat-file", "--batch-check=%(objectname) %(objecttype)"], {
          input: `${objects.join("\n")}\n`,
          reject: false,
        });
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

/** The same questions through the GitHub REST API (octokit, with its retry and throttling plugins). */
export class GitHubHistory implements LlvmHistory {
  readonly description: string;
  private readonly owner: string;
  private readonly repo: string;
  /** The compare endpoint lists at most this many files; a longer list is incomplete. */
  static readonly COMPARE_FILE_LIMIT = 300;

  constructor(
    private readonly octokit: Octokit,
    ownerRepo: string,
  ) {
    const { owner, repo } = parseGithubRepo(ownerRepo, "--llvm-github");
    this.owner = owner;
    this.repo = repo;
    this.description = `github ${ownerRepo}`;
  }

  static create(ownerRepo: string, opts: { baseUrl?: string; token?: string; retries?: number } = {}): GitHubHistory {
    const octokit = makeOctokit({ ...(opts.baseUrl ? { apiUrl: opts.baseUrl } : {}), ...(opts.token ? { token: opts.token } : {}), retries: opts.retries ?? 3 });
    return new GitHubHistory(octokit, ownerRepo);
  }

  private async get<T>(route: string, params: Record<string, unknown> = {}): Promise<T | undefined> {
    return githubCall(`${this.description}: ${route.replace(/^GET \/repos\/\{owner\}\/\{repo\}/, "")}`, async () => {
      try {
        const r = await this.octokit.request(route, { owner: this.owner, repo: this.repo, ...params });
        return r.data as T;
      } catch (e) {
        const status = (e as { status?: number }).status;
        if (status === 404 || status === 422) return undefined;
        throw e;
      }
    });
  }

  async refCandidates(ref: string): Promise<RefCandidate[]> {
    const out: RefCandidate[] = [];
    type Ref = { ref: string; object: { sha: string; type: string } };
    for (const [kind, ns] of [
      ["branch", "heads"],
      ["tag", "tags"],
    ] as const) {
      const refs = (await this.get<Ref[]>("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", { ref: `${ns}/${ref}` })) ?? [];
      for (const r of refs.filter((x) => x.ref === `refs/${ns}/${ref}`)) {
        out.push({ kind, name: r.ref, commit: await this.peel(r.object) });
      }
    }
    if (/^[0-9a-f]{4,40}$/.test(ref)) {
      const c = await this.get<{ sha: string }>("GET /repos/{owner}/{repo}/commits/{ref}", { ref });
      if (c && c.sha.startsWith(ref)) out.push({ kind: "commit", name: c.sha, commit: c.sha });
    }
    return out;
  }

  private async peel(object: { sha: string; type: string }): Promise<string> {
    let o = object;
    for (let i = 0; i < 4 && o.type === "tag"; i++) {
      const t = await this.get<{ object: { sha: string; type: string } }>("GET /repos/{owner}/{repo}/git/tags/{tag_sha}", { tag_sha: o.sha });
      if (!t) throw new InvalidInputError(`${this.description}: annotated tag ${o.sha} cannot be read; check the tag`);
      o = t.object;
    }
    return o.sha;
  }

  async hasBranch(branch: string): Promise<boolean> {
    return (await this.get("GET /repos/{owner}/{repo}/branches/{branch}", { branch })) !== undefined;
  }

  async branchCommitAt(branch: string, cutoff: string): Promise<CommitInfo | undefined> {
    // The API lists by date without a first-parent walk; LLVM's main is linear (squash merges).
    const list = await this.get<ApiCommit[]>("GET /repos/{owner}/{repo}/commits", { sha: branch, until: cutoff, per_page: 1 });
    const c = list?.[0];
    return c ? toCommitInfo(c) : undefined;
  }

  async commitInfo(commit: string): Promise<CommitInfo> {
    const c = await this.get<ApiCommit>("GET /repos/{owner}/{repo}/commits/{ref}", { ref: commit });
    if (!c) throw new InvalidInputError(`commit ${commit} does not exist in ${this.description}`);
    return toCommitInfo(c);
  }

  async llvmVersionAt(commit: string): Promise<string> {
    for (const path of VERSION_FILES) {
      const f = await this.get<{ content?: string; encoding?: string }>("GET /repos/{owner}/{repo}/contents/{path}", { path, ref: commit });
      if (f?.content) {
        const text = Buffer.from(f.content, (f.encoding as BufferEncoding | undefined) ?? "base64").toString("utf8");
        if (/LLVM_VERSION_MAJOR/.test(text)) return llvmVersionFromCmake(text, `${path} at ${commit.slice(0, 12)}`);
      }
    }
    throw new InvalidInputError(`commit ${commit.slice(0, 12)} has no LLVM version file (${VERSION_FILES.join(", ")}) in ${this.description}`);
  }

  async changedFiles(from: string, to: string): Promise<{ files: string[]; complete: boolean }> {
    const c = await this.get<{ files?: Array<{ filename: string; previous_filename?: string }> }>(
      "GET /repos/{owner}/{repo}/compare/{basehead}",
      { basehead: `${from}...${to}` },
    );
    if (!c) throw new InvalidInputError(`${this.description} cannot compare ${from.slice(0, 12)}...${to.slice(0, 12)}`);
    const files = (c.files ?? []).flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
    return { files, complete: (c.files ?? []).length < GitHubHistory.COMPARE_FILE_LIMIT };
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    if (ancestor === descendant) return true;
    const c = await this.get<{ status: string }>("GET /repos/{owner}/{repo}/compare/{basehead}", { basehead: `${ancestor}...${descendant}` });
    return c?.status === "ahead" || c?.status === "identical";
  }

  async commitsBetween(from: string, to: string): Promise<Array<CommitInfo & { files: string[] }>> {
    const c = await this.get<{ commits: ApiCommit[] }>("GET /repos/{owner}/{repo}/compare/{basehead}", { basehead: `${from}...${to}` });
    if (!c) throw new InvalidInputError(`${this.description} cannot compare ${from.slice(0, 12)}...${to.slice(0, 12)}`);
    const out: Array<CommitInfo & { files: string[] }> = [];
    for (const k of [...c.commits].reverse()) {
      const full = await this.get<ApiCommit>("GET /repos/{owner}/{repo}/commits/{ref}", { ref: k.sha });
      out.push({ ...toCommitInfo(k), files: (full?.files ?? []).map((f) => f.filename) });
    }
    return out;
  }

  async releaseTags(): Promise<string[]> {
    const refs = (await this.get<Array<{ ref: string }>>("GET /repos/{owner}/{repo}/git/matching-refs/{ref}", { ref: "tags/llvmorg-" })) ?? [];
    return refs.map((r) => r.ref.replace(/^refs\/tags\//, "")).reverse();
  }
}

interface ApiCommit {
  sha: string;
  commit: { message: string; author: { name: string } | null; committer: { date: string } | null };
  files?: Array<{ filename: string }>;
}

const toCommitInfo = (c: ApiCommit): CommitInfo => ({
  commit: c.sha,
  date: new Date(c.commit.committer?.date ?? 0).toISOString(),
  author: c.commit.author?.name ?? "",
  subject: c.commit.message.split("\n")[0] ?? "",
});
