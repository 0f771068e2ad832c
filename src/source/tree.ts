// LLVM source providers: a tarball pinned by sha256, a git remote at a commit, or a directory.
// Each yields an llvm-project tree holding (at least) the parts the stages need, cached by digest.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CommandFailedError, type ExecEnv } from "../exec/env.js";
import { InvalidInputError } from "../errors.js";
import { type LlvmSourceRef } from "../schema/release-plan.js";
import type { Progress } from "../progress.js";
import { parseLlvmVersionCmake, type DeclaredLlvmVersion } from "./llvm-version.js";
import { sha256File, sha256Hex } from "../util/hash.js";

/** What the bindings, their tests and the downstream example need from llvm-project. */
export const BINDINGS_PATHS = [
  "cmake/Modules/LLVMVersion.cmake",
  "llvm/CMakeLists.txt",
  "mlir/python",
  "mlir/lib/Bindings/Python",
  // The runtime libraries (runner utils, async runtime) the wheel ships next to the bindings.
  "mlir/lib/ExecutionEngine",
  "mlir/include",
  "mlir/test/python",
  "mlir/test/lit.cfg.py",
  "mlir/test/lit.site.cfg.py.in",
  "mlir/examples/standalone",
] as const;

/** What a from-source LLVM layer needs (llvm + mlir and the shared cmake/third-party dirs). Since LLVM 23
 * llvm/ refuses to configure without libc/ (FindLibcCommonUtils: LLVM Support uses libc's shared headers). */
export const LAYER_PATHS = ["cmake", "libc", "llvm", "mlir", "third-party"] as const;

/** "package": only what enabled packages name (src/packages/), beside the version files: its own tree, so
 * enabling a package leaves the bindings' tree, and so their build and wheels, exactly as they were. */
export type TreeParts = "bindings" | "layer" | "package";

/** The files readTreeVersion reads: every tree has them. */
const VERSION_PATHS = ["cmake/Modules/LLVMVersion.cmake", "llvm/CMakeLists.txt"] as const;

export interface LlvmSourceTree {
  /** Root of the llvm-project tree. */
  root: string;
  version: DeclaredLlvmVersion;
  /** The digest or commit the tree was made from: its identity in caches and manifests. */
  identity: string;
  ref: LlvmSourceRef | { kind: "dir"; path: string };
}

export class SourceDigestError extends InvalidInputError {
  override name = "SourceDigestError";
}

export function readTreeVersion(root: string): DeclaredLlvmVersion {
  for (const rel of ["cmake/Modules/LLVMVersion.cmake", "llvm/CMakeLists.txt"]) {
    const p = join(root, rel);
    if (!existsSync(p)) continue;
    const text = readFileSync(p, "utf8");
    if (/set\(\s*LLVM_VERSION_MAJOR/.test(text)) return parseLlvmVersionCmake(text, p);
  }
  throw new InvalidInputError(
    `${root}: not an llvm-project tree (no LLVM version in cmake/Modules/LLVMVersion.cmake or llvm/CMakeLists.txt)`,
  );
}

export function checkVersion(tree: { root: string; version: DeclaredLlvmVersion }, expected?: string): void {
  if (expected && tree.version.text !== expected) {
    throw new InvalidInputError(
      `source tree ${tree.root} declares LLVM ${tree.version.text}, but ${expected} was asked for`,
    );
  }
}

export interface SourceOptions {
  env: ExecEnv;
  progress: Progress;
  /** Root of the machine's caches (sources/, trees/ live below it). */
  cacheDir: string;
  /** Repository root, for the provisioning scripts under containers/. */
  repoRoot: string;
  parts?: TreeParts;
  /** More llvm-project paths than the parts' (an enabled package's, e.g. clang/tools/libclang). */
  extraPaths?: readonly string[];
  expectedVersion?: string;
}

const partsPaths = (parts: TreeParts, extra: readonly string[] = []): readonly string[] => [
  ...(parts === "layer" ? LAYER_PATHS : parts === "package" ? VERSION_PATHS : BINDINGS_PATHS),
  ...extra,
];

/** Cache directory name of a tree: the source's identity, the parts, and a digest of the exact path
 * list (a longer list must not reuse a tree extracted with a shorter one). */
export const treeDirName = (identity: string, parts: TreeParts, extra: readonly string[] = []): string =>
  `${identity.slice(0, 16)}-${parts}-${sha256Hex(partsPaths(parts, extra).join("\n")).slice(0, 8)}`;

/** Tarball pinned by sha256: fetched into the cache when missing, verified, extracted once. */
export async function tarballSource(
  ref: Extract<LlvmSourceRef, { kind: "tarball" }>,
  opts: SourceOptions,
  localPath?: string,
): Promise<LlvmSourceTree> {
  const parts = opts.parts ?? "bindings";
  const paths = partsPaths(parts, opts.extraPaths);
  const tarball = localPath ? resolve(localPath) : join(opts.cacheDir, "sources", ref.file);
  if (!existsSync(tarball)) {
    const debianPackage = ref.origin["debian"];
    if (!debianPackage) {
      throw new InvalidInputError(`source tarball ${tarball} is missing and its ref names no origin to fetch it from`);
    }
    opts.progress.step(`fetch ${ref.file} (Debian source package ${debianPackage})`);
    await opts.env.run([
      "bash",
      join(opts.repoRoot, "containers/host/fetch-debian-orig.sh"),
      debianPackage,
      ref.file,
      ref.sha256,
      join(opts.cacheDir, "sources"),
      ref.origin["suite"] ?? "sid",
    ]);
  }
  const treeDir = join(opts.cacheDir, "trees", treeDirName(ref.sha256, parts, opts.extraPaths));
  const stamp = join(treeDir, ".mlir-release-tree");
  if (!existsSync(stamp)) {
    opts.progress.step(`verify sha256 of ${tarball}`);
    const got = await sha256File(tarball);
    if (got !== ref.sha256) {
      throw new SourceDigestError(`source tarball ${tarball}: sha256 is ${got}, expected ${ref.sha256}`);
    }
    opts.progress.step(`extract ${paths.join(", ")}`);
    const tmp = `${treeDir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const top = (await opts.env.run(["bash", "-c", `tar -tf "$1" | head -n1`, "-", tarball], { capture: true })).stdout
      .trim()
      .split("/")[0];
    if (!top) throw new InvalidInputError(`source tarball ${tarball} is empty`);
    try {
      await opts.env.run([
        "tar",
        "-xf",
        tarball,
        "-C",
        tmp,
        "--strip-components=1",
        "--wildcards",
        ...paths.map((p) => `${top}/${p}`),
      ]);
    } catch (e) {
      // Older trees lack some parts (e.g. cmake/Modules/LLVMVersion.cmake before LLVM 18): tar
      // then says "Not found in archive". Any other complaint is a real failure; what is
      // essential is checked below by reading the version and the bindings' CMakeLists.
      if (!(e instanceof CommandFailedError) || !onlyMissingMembers(e.tail)) throw e;
    }
    if (parts === "bindings" && !existsSync(join(tmp, "mlir", "python", "CMakeLists.txt"))) {
      throw new InvalidInputError(`source tarball ${tarball} has no ${top}/mlir/python/CMakeLists.txt: not an llvm-project tree with MLIR`);
    }
    writeFileSync(join(tmp, ".mlir-release-tree"), `${ref.sha256}\n`);
    rmSync(treeDir, { recursive: true, force: true });
    renameSync(tmp, treeDir);
  }
  const tree = { root: treeDir, version: readTreeVersion(treeDir), identity: ref.sha256, ref };
  checkVersion(tree, opts.expectedVersion);
  return tree;
}

export function onlyMissingMembers(tarOutput: string): boolean {
  const complaints = tarOutput.split("\n").filter((l) => l.startsWith("tar: "));
  return (
    complaints.length > 0 &&
    complaints.every((l) => /Not found in archive|Exiting with failure status due to previous errors/.test(l))
  );
}

/** A git remote at an exact commit: shallow fetch + sparse checkout of the needed paths. */
export async function gitSource(
  ref: Extract<LlvmSourceRef, { kind: "git" }>,
  opts: SourceOptions,
): Promise<LlvmSourceTree> {
  const parts = opts.parts ?? "bindings";
  const treeDir = join(opts.cacheDir, "trees", treeDirName(ref.commit, parts, opts.extraPaths));
  const stamp = join(treeDir, ".mlir-release-tree");
  if (!existsSync(stamp)) {
    const tmp = `${treeDir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const git = (...args: string[]) => opts.env.run(["git", "-C", tmp, ...args]);
    opts.progress.step(`fetch ${ref.repository} @ ${ref.commit.slice(0, 12)}`);
    await git("init", "-q");
    await git("remote", "add", "origin", ref.repository);
    await git("sparse-checkout", "set", "--no-cone", ...partsPaths(parts, opts.extraPaths).map((p) => `/${p}`));
    await git("fetch", "-q", "--depth=1", "origin", ref.commit);
    await git("checkout", "-q", "FETCH_HEAD");
    const head = (await opts.env.run(["git", "-C", tmp, "rev-parse", "HEAD"], { capture: true })).stdout.trim();
    if (head !== ref.commit) {
      throw new SourceDigestError(`${ref.repository}: fetched ${head}, expected commit ${ref.commit}`);
    }
    writeFileSync(join(tmp, ".mlir-release-tree"), `${ref.commit}\n`);
    rmSync(treeDir, { recursive: true, force: true });
    renameSync(tmp, treeDir);
  }
  const tree = { root: treeDir, version: readTreeVersion(treeDir), identity: ref.commit, ref };
  checkVersion(tree, opts.expectedVersion);
  return tree;
}

/** An existing llvm-project checkout (a developer's own tree). */
export function dirSource(path: string, expectedVersion?: string): LlvmSourceTree {
  const root = resolve(path);
  if (!existsSync(join(root, "mlir", "python"))) {
    throw new InvalidInputError(`source directory ${root} has no mlir/python: not an llvm-project tree`);
  }
  const tree = { root, version: readTreeVersion(root), identity: `dir:${root}`, ref: { kind: "dir" as const, path: root } };
  checkVersion(tree, expectedVersion);
  return tree;
}

/** Debian's orig tarball of llvm-toolchain-22 22.1.8: the default, offline-reproducible source. */
export const DEBIAN_LLVM_22_1_8: Extract<LlvmSourceRef, { kind: "tarball" }> = {
  kind: "tarball",
  file: "llvm-toolchain-22_22.1.8.orig.tar.xz",
  sha256: "b49b9277aef97616320b2da259e1f8174c65b0ce2fbe2e8629644a97693402fe",
  origin: { debian: "llvm-toolchain-22", suite: "sid" },
};

/** Debian's orig tarball of llvm-toolchain-23 23.1.1 (sid's source archive): the only 23.x source this
 * machine can fetch (23.1.4's tarball and the main snapshots' answer 404), so the from-source layer's. */
export const DEBIAN_LLVM_23_1_1: Extract<LlvmSourceRef, { kind: "tarball" }> = {
  kind: "tarball",
  file: "llvm-toolchain-23_23.1.1.orig.tar.xz",
  sha256: "0a5838b993f406534db7e6dc7df66e295354a1e9a23bb21e5739cf5df5bc7689",
  origin: { debian: "llvm-toolchain-23", suite: "sid" },
};

/**
 * The upstream tag each pinned Debian tarball is the tree of, and the tag's commit (what a build's
 * manifest records as its LLVM commit). 23.1.1's commit is as public records give it (the `git ls-remote`
 * of `llvmorg-23.1.1^{}`, and the version string of clang 23.1.1 builds); the upstream remote cannot be
 * reached from this project's build machine to check it, so it is recorded, not verified here.
 */
export const DEBIAN_UPSTREAM_TAGS: Readonly<Record<string, { tag: string; commit: string }>> = {
  "22.1.8": { tag: "llvmorg-22.1.8", commit: "ca7933e47d3a3451d81e72ac174dcb5aa28b59d1" },
  "23.1.1": { tag: "llvmorg-23.1.1", commit: "6dfe1677ab8dffbc6ec13d53a1e0215d75147689" },
};

/** The upstream tag of a tarball this project pins (by its sha256), if any. */
export function upstreamTagOf(ref: LlvmSourceRef): { tag: string; commit: string } | undefined {
  if (ref.kind !== "tarball") return undefined;
  const version = Object.keys(DEBIAN_SOURCES).find((v) => DEBIAN_SOURCES[v]?.sha256 === ref.sha256);
  return version ? DEBIAN_UPSTREAM_TAGS[version] : undefined;
}

/** `--source debian:<version>`: the Debian orig tarballs this project pins by sha256. */
export const DEBIAN_SOURCES: Readonly<Record<string, Extract<LlvmSourceRef, { kind: "tarball" }>>> = {
  "22.1.8": DEBIAN_LLVM_22_1_8,
  "23.1.1": DEBIAN_LLVM_23_1_1,
};
