// The snapshot gate's facts (commits, their files, check runs and statuses) from the GitHub API,
// through the one Octokit of external/github.ts.
import type { Octokit } from "octokit";
import { githubCall, makeOctokit } from "../external/github.js";
import type { CheckRun, CommitStatus, GateSource } from "./gate.js";
import type { CommitInfo } from "./history.js";

/** The gate's facts from the GitHub API (llvm/llvm-project or a mirror), through the one Octokit. */
export class GitHubGateSource implements GateSource {
  readonly description: string;
  private readonly gh: InstanceType<typeof Octokit>;
  constructor(
    private readonly owner: string,
    private readonly repo: string,
    o: { token?: string; apiUrl?: string } = {},
  ) {
    this.description = `github ${owner}/${repo}`;
    this.gh = makeOctokit({ ...(o.token ? { token: o.token } : {}), ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}), retries: 3 });
  }

  commitsBefore(branch: string, cutoff: string, n: number): Promise<CommitInfo[]> {
    return githubCall(`${this.description}: the commits of ${branch} until ${cutoff}`, () => this.commitsBeforeUnwrapped(branch, cutoff, n));
  }

  filesOf(commit: string): Promise<string[]> {
    return githubCall(`${this.description}: the files of ${commit}`, () => this.filesOfUnwrapped(commit));
  }

  checks(commit: string): Promise<{ runs: CheckRun[]; statuses: CommitStatus[] }> {
    return githubCall(`${this.description}: the checks of ${commit}`, () => this.checksUnwrapped(commit));
  }

  private async commitsBeforeUnwrapped(branch: string, cutoff: string, n: number): Promise<CommitInfo[]> {
    const out: CommitInfo[] = [];
    for await (const page of this.gh.paginate.iterator(this.gh.rest.repos.listCommits, { owner: this.owner, repo: this.repo, sha: branch, until: cutoff, per_page: Math.min(n, 100) })) {
      for (const c of page.data) {
        out.push({ commit: c.sha, date: c.commit.committer?.date ?? "", subject: (c.commit.message ?? "").split("\n")[0] ?? "", author: c.commit.author?.name ?? "" } as CommitInfo);
        if (out.length >= n) return out;
      }
    }
    return out;
  }

  private async filesOfUnwrapped(commit: string): Promise<string[]> {
    const r = await this.gh.rest.repos.getCommit({ owner: this.owner, repo: this.repo, ref: commit });
    return (r.data.files ?? []).map((f) => f.filename);
  }

  private async checksUnwrapped(commit: string): Promise<{ runs: CheckRun[]; statuses: CommitStatus[] }> {
    const runs = (await this.gh.paginate(this.gh.rest.checks.listForRef, { owner: this.owner, repo: this.repo, ref: commit, per_page: 100 })) as unknown as CheckRun[];
    const statuses = (await this.gh.paginate(this.gh.rest.repos.listCommitStatusesForRef, { owner: this.owner, repo: this.repo, ref: commit, per_page: 100 })) as unknown as CommitStatus[];
    return {
      runs: runs.map((r) => ({ id: r.id, name: r.name, status: r.status, conclusion: r.conclusion })),
      statuses: statuses.map((s) => ({ id: s.id, context: s.context, state: s.state })),
    };
  }
}
