// Release notes: a pure function of the manifest (and the previous one of the same kind).
import { type ReleaseManifest } from "../schema/manifest.js";
import { findLinksInstallLine, indexInstallLine, pypiInstallLine } from "../plan/install.js";
import { toolsDistribution } from "../platforms/tags.js";

const githubWeb = (repository: string): string | undefined => {
  const m = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?\/?$/.exec(repository);
  return m ? `https://github.com/${m[1]}` : undefined;
};

interface NotesInstall {
  /** Our PEP 503 index (…/simple/), when the release is served from one. */
  indexUrl?: string;
  /** Run-time dependencies outside our distributions (from the wheels' Requires-Dist). */
  dependencies?: string[];
}

export function renderReleaseNotes(manifest: ReleaseManifest, previous?: ReleaseManifest, o: NotesInstall = {}): string {
  const p = manifest.plan;
  const web = githubWeb(p.llvm.repository);
  const commitRef = web ? `[\`${p.llvm.commit.slice(0, 12)}\`](${web}/commit/${p.llvm.commit})` : `\`${p.llvm.commit}\``;
  const lines = [
    `# ${p.distribution} ${p.version}`,
    "",
    `${p.kind === "snapshot" ? "Snapshot" : "Release"} built from LLVM ${p.llvm.version}${p.llvm.tag ? ` (${p.llvm.tag})` : ""}, commit ${commitRef} of ${p.llvm.commitDate}.`,
    "",
  ];
  if (previous && previous.plan.llvm.commit !== p.llvm.commit) {
    const prev = previous.plan.llvm.commit;
    lines.push(
      `Changes since ${previous.plan.version}: LLVM \`${prev.slice(0, 12)}..${p.llvm.commit.slice(0, 12)}\`` +
        (web ? ` ([compare](${web}/compare/${prev}...${p.llvm.commit}))` : ""),
      "",
    );
  } else if (previous) {
    lines.push(`Same LLVM commit as ${previous.plan.version}.`, "");
  }
  const pythons = [...new Set(p.matrix.map((m) => m.python))].sort();
  const platforms = [...new Set(p.matrix.map((m) => m.platform))].sort();
  lines.push("| platform | " + pythons.join(" | ") + " |", "|---|" + pythons.map(() => "---|").join(""));
  for (const pl of platforms) {
    const cells = pythons.map((py) => {
      const built = manifest.artifacts.some((a) => a.kind === "wheel" && a.platform === pl && a.python === py);
      return built ? "✓" : "–";
    });
    lines.push(`| ${pl} | ${cells.join(" | ")} |`);
  }
  lines.push("", "| file | sha256 |", "|---|---|");
  for (const a of manifest.artifacts) lines.push(`| ${a.fileName} | \`${a.sha256}\` |`);
  const t = { distribution: p.distribution, version: p.version };
  const split = manifest.artifacts.some((a) => a.kind === "native-wheel");
  lines.push(
    "",
    "## Install",
    "",
    `pip brings ${split ? `the platform's \`${p.distribution}-native\` wheel and ` : ""}the dependencies${o.dependencies?.length ? ` (${o.dependencies.join(", ")}, from PyPI)` : ""} itself:`,
    "",
    `- from PyPI: \`${pypiInstallLine(t)}\``,
    ...(o.indexUrl ? [`- from our index, added to PyPI: \`${indexInstallLine(t, o.indexUrl)}\``] : []),
    `- from this release's files downloaded into one folder \`dist\`: \`${findLinksInstallLine(t, "dist")}\``,
    "",
  );
  if (manifest.artifacts.some((a) => a.kind === "tools-wheel")) {
    const tools = { ...t, distribution: toolsDistribution(p.distribution) };
    lines.push(`The command-line tools (mlir-opt, mlir-translate, mlir-lsp-server, mlir-tblgen, FileCheck, not, count, split-file; no Python package): \`${o.indexUrl ? indexInstallLine(tools, o.indexUrl) : pypiInstallLine(tools)}\``, "");
  }
  return lines.join("\n");
}
