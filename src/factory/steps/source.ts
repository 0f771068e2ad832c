// Step `source`: the llvm-project tree the bindings are built from (fetched, verified by digest or
// commit, the needed parts extracted), checked against the plan, and the build's SOURCE_DATE_EPOCH.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InternalError, InvalidInputError } from "../../errors.js";
import type { ExecEnv } from "../../exec/env.js";
import type { Progress } from "../../progress.js";
import { dirSource, gitSource, type LlvmSourceTree, tarballSource } from "../../source/tree.js";
import type { SourceInputs } from "../step-inputs.js";
import { composeReleaseFiles } from "./metadata.js";
import type { StepModule } from "./step-context.js";

interface SourceInput {
  source: SourceInputs;
  env: ExecEnv;
  progress: Progress;
  /** Where the plan says the tree is, and the version it planned the wheels for ("" with no build). */
  plannedRoot: string;
  plannedVersion: string;
  buildsWheels: boolean;
  /** Where the plan says the enabled packages' tree is (none enabled: undefined). */
  plannedPackageRoot?: string;
}

export interface SourceOutput {
  tree: LlvmSourceTree;
  /** The wheels' PEP 440 version. */
  version: string;
  sourceDateEpoch: number;
  /** The LLVM commit as the release names it ("unknown" for a tarball without one). */
  commit: string;
  /** The same source's tree of the enabled packages' paths (src/packages/), when any is enabled. */
  packageTree?: LlvmSourceTree;
}

/** The bindings' tree, or (`package`) the tree of the enabled packages' paths: same source, its own folder. */
export async function sourceTree(s: SourceInputs, env: ExecEnv, progress: Progress, parts: "bindings" | "package" = "bindings"): Promise<LlvmSourceTree> {
  const common = { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot, ...(parts === "package" ? { parts, extraPaths: s.packagePaths ?? [] } : {}) };
  switch (s.spec.kind) {
    case "tarball":
      return tarballSource(s.spec.ref, common, s.spec.localPath);
    case "git":
      return gitSource(s.spec.ref, common);
    case "dir":
      return dirSource(s.spec.path);
  }
}

/** Newest mtime of the files the bindings are built from: stable for a given source tree. */
function treeEpoch(root: string): number {
  let newest = 0;
  const walk = (d: string, depth: number): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (depth < 12 && !e.startsWith(".")) walk(p, depth + 1);
      } else newest = Math.max(newest, Math.floor(st.mtimeMs / 1000));
    }
  };
  walk(join(root, "mlir", "python"), 0);
  return newest;
}

async function runSource(i: SourceInput): Promise<SourceOutput> {
  const s = i.source;
  const tree = await sourceTree(s, i.env, i.progress);
  if (tree.root !== i.plannedRoot) throw new InternalError(`the source step made ${tree.root}, the plan says ${i.plannedRoot}`);
  const version = s.version ?? tree.version.text.replace(/-(rc\d+)$/, "$1");
  if (version !== i.plannedVersion && i.buildsWheels) {
    throw new InvalidInputError(`the source tree ${tree.root} is LLVM ${version}, the plan was made for ${i.plannedVersion}: pass --version or a matching --layer`);
  }
  const packageTree = s.packagePaths ? await sourceTree(s, i.env, i.progress, "package") : undefined;
  if (packageTree?.root !== i.plannedPackageRoot) throw new InternalError(`the source step made the packages' tree ${packageTree?.root}, the plan says ${i.plannedPackageRoot}`);
  return {
    tree,
    ...(packageTree ? { packageTree } : {}),
    version,
    sourceDateEpoch: s.sourceDateEpoch ?? treeEpoch(tree.root),
    commit: s.llvmCommit ?? (tree.ref.kind === "git" ? tree.ref.commit : "unknown"),
  };
}

const versionOfWheel = (fileName: string): string => fileName.split("-")[1] ?? "";

/** Step `source`: the tree where the plan says it is, and the release's metadata composed from it. */
export const sourceStep: StepModule<"source"> = {
  input: "source",
  async run(_step, c) {
    const { plan } = c;
    const source = await runSource({
      source: c.input,
      env: c.env,
      progress: c.progress,
      plannedRoot: c.planned.sourceRoot,
      plannedVersion: plan.builds[0] ? versionOfWheel(plan.builds[0].wheel) : "",
      buildsWheels: plan.builds.length > 0,
      ...(plan.packageSourceRoot ? { plannedPackageRoot: plan.packageSourceRoot } : {}),
    });
    c.outputs.source = source;
    c.outputs.files = composeReleaseFiles(c.input.release, source, !!plan.native);
  },
};
