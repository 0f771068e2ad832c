// Release notes of a snapshot: the LLVM commits since the previous snapshot that touched what
// the wheels are built from, as Markdown (pure; the commits come from select/'s LlvmHistory).
import { isMlirRelevant, type MlirPaths } from "./paths.js";

/** One commit of the range, with the paths it changed. */
interface NotesCommit {
  commit: string;
  /** Committer date, ISO-8601. */
  date: string;
  author: string;
  subject: string;
  files: string[];
}

interface NotesInput {
  /** The configured LLVM repository URL (links are built from it when it is a web host). */
  repository: string;
  from: string;
  to: string;
  version: string;
  llvmVersion: string;
  commits: readonly NotesCommit[];
  paths: MlirPaths;
  /** at most this many commits are listed one by one */
  limit?: number;
}

/** https://host/owner/repo for an https or scp-style git URL; undefined for local paths. */
export function webUrl(repository: string): string | undefined {
  const https = /^https?:\/\/([^/]+)\/(.+?)(\.git)?\/?$/.exec(repository);
  if (https) return `https://${https[1]}/${https[2]}`;
  const scp = /^[^@]+@([^:]+):(.+?)(\.git)?$/.exec(repository);
  return scp ? `https://${scp[1]}/${scp[2]}` : undefined;
}

// Emphasis, code and table/HTML characters of commit subjects are escaped; "[mlir]" tags stay readable.
const escapeMd = (s: string): string => s.replace(/([\\`*_<>|])/g, "\\$1");

export function renderCommitNotes(i: NotesInput): string {
  const web = webUrl(i.repository);
  const link = (sha: string): string => (web ? `[\`${sha.slice(0, 12)}\`](${web}/commit/${sha})` : `\`${sha.slice(0, 12)}\``);
  const relevant = i.commits.filter((c) => c.files.some((f) => isMlirRelevant(f, i.paths)));
  const limit = i.limit ?? 200;
  const range = `${i.from.slice(0, 12)}..${i.to.slice(0, 12)}`;
  const lines = [
    `## LLVM changes in ${i.version}`,
    "",
    `LLVM ${i.llvmVersion}, ${web ? `[\`${range}\`](${web}/compare/${i.from}...${i.to})` : `\`${range}\``}: ` +
      `${relevant.length} of ${i.commits.length} commit${i.commits.length === 1 ? "" : "s"} touched MLIR-relevant paths.`,
    "",
  ];
  for (const c of relevant.slice(0, limit)) lines.push(`- ${link(c.commit)} ${escapeMd(c.subject)} (${escapeMd(c.author)}, ${c.date.slice(0, 10)})`);
  if (relevant.length > limit) lines.push(`- … and ${relevant.length - limit} more`);
  if (!relevant.length) lines.push("No MLIR-relevant commits in this range.");
  lines.push("");
  return lines.join("\n");
}
