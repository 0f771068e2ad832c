// Where select's facts come from, chosen from the resolved options: LLVM's history (a git
// repository, or the GitHub API with --llvm-github), the snapshot gate's CI results, and what
// earlier releases say (manifest files, the releases' GitHub repository). The CLI calls
// selectRelease; plan() then takes the facts it returns as plain data.
import { fetchPublishedReleases } from "../external/github.js";
import { parseGithubRepository, requireGithubToken } from "../options/resolve-options.js";
import { history } from "../plan/release-queries.js";
import type { ReleaseManifest } from "../schema/manifest.js";
import type { ResolvedOptions } from "../schema/options.js";
import type { ReleaseRequest } from "../schema/request.js";
import { creatableDir } from "../util/paths.js";
import { GitHistory } from "./git-history.js";
import { GitHubGateSource } from "./github-gate.js";
import { GitHubHistory } from "./github-history.js";
import type { LlvmHistory } from "./history.js";
import { loadManifests } from "./manifest-files.js";
import { select } from "./rules.js";

interface SelectSources {
  /** The LLVM git repository (path or URL); default: the config's llvm.repository. */
  repo?: string;
  /** owner/name: LLVM's history (and the gate's CI results) through the GitHub API instead of git. */
  llvmGithub?: string;
  /** Manifests of earlier releases (files or folders). */
  manifests?: readonly string[];
}

/** LLVM's history: the GitHub API for --llvm-github, else git (a remote is mirrored under the cache). */
export async function openHistory(o: ResolvedOptions, from: Pick<SelectSources, "repo" | "llvmGithub">): Promise<LlvmHistory> {
  const { apiUrl, token } = o.github;
  if (from.llvmGithub) return GitHubHistory.create(from.llvmGithub, { ...(apiUrl ? { baseUrl: apiUrl } : {}), ...(token ? { token } : {}) });
  return GitHistory.open(from.repo ?? o.config.llvm.repository, creatableDir(o.cacheDir, "--cache"));
}

/** The snapshot gate reads the LLVM repository's CI results with the resolver's one token and API root. */
function gateSource(ownerRepo: string, what: string, o: ResolvedOptions): GitHubGateSource {
  const { owner, repo } = parseGithubRepository(ownerRepo, what);
  const { token, apiUrl } = o.github;
  return new GitHubGateSource(owner, repo, { ...(token ? { token } : {}), ...(apiUrl ? { apiUrl } : {}) });
}

/**
 * What a repository has published: complete releases' manifests (the last snapshot's commit), and
 * every release tag as a taken version — an interrupted publish still owns its version.
 */
async function publishedIn(o: ResolvedOptions, where: { owner: string; repo: string }): Promise<{ manifests: ReleaseManifest[]; versions: string[] }> {
  const { owner, repo } = where;
  const tagPrefix = o.github.tagPrefix;
  const token = requireGithubToken(o, `--github-repository ${owner}/${repo}`);
  const apiUrl = o.github.apiUrl;
  const r = await fetchPublishedReleases({ token, owner, repo, tagPrefix, ...(apiUrl ? { apiUrl } : {}) }, { metadata: false });
  return {
    manifests: r.releases.map((x) => x.manifest),
    versions: r.tags.filter((t) => t.startsWith(tagPrefix)).map((t) => t.slice(tagPrefix.length)),
  };
}

/** Gathers the facts from the sources and runs the selection rules (rules.ts). */
export async function selectRelease(o: ResolvedOptions, request: ReleaseRequest, from: SelectSources): Promise<Awaited<ReturnType<typeof select>>> {
  const config = o.config;
  const published = o.github.repository ? await publishedIn(o, o.github.repository) : undefined;
  const past = history([...loadManifests(from.manifests ?? []), ...(published?.manifests ?? [])]);
  return select(await openHistory(o, from), {
    config,
    request,
    existingVersions: [...new Set([...past.versions, ...(published?.versions ?? [])])],
    ...(past.previousSnapshotCommit ? { previousSnapshotCommit: past.previousSnapshotCommit } : {}),
    now: new Date(),
    // config.snapshotGate: CI results of the LLVM repository (--llvm-github owner/name, else the config's githubRepo).
    ...(config.snapshotGate ? { gate: gateSource(from.llvmGithub ?? config.llvm.githubRepo, from.llvmGithub ? "--llvm-github" : "llvm.githubRepo", o) } : {}),
  });
}
