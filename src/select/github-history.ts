// LLVM's history through the GitHub REST API, with the one Octokit of external/github.ts.
import type { Octokit } from "octokit";
import { githubCall, makeOctokit, parseGithubRepo } from "../external/github.js";
import { InvalidInputError } from "../errors.js";
import { type CommitInfo, type LlvmHistory, llvmVersionFromCmake, type RefCandidate, VERSION_FILES } from "./history.js";

/** The same questions through the GitHub REST API (the one Octokit: throttling, and http.ts's retry policy). */
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
