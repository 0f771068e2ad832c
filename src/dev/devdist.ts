// The downstream kit: a relocatable LLVM/MLIR install tree plus our bindings' declared Python
// sources, built from the same layer and bindings build as the runtime wheel, shipped as a
// tarball and as a dev wheel whose module prints the MLIR_DIR to hand to CMake.
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import type { LlvmLayer } from "../layer/layer.js";
import type { Progress } from "../progress.js";
import { InvalidInputError, InternalError } from "../errors.js";
import { type BuildReport } from "../schema/build-report.js";
import { type WheelTag } from "../schema/platform.js";
import { toolConsoleScripts, toolsModule } from "../wheels/tools.js";
import { devWheelDescription, systemDependencies } from "./system-deps.js";
import { assembleWheel } from "../wheels/wheel.js";
import { underRoot } from "../util/paths.js";
import { sha256File } from "../util/hash.js";

/** Tools a downstream build or its tests run; the rest of the layer's bin/ is left out. */
const DEV_TOOLS = [
  "FileCheck",
  "count",
  "not",
  "split-file",
  "llvm-config",
  "llvm-tblgen",
  "mlir-tblgen",
  "mlir-opt",
  "mlir-translate",
  "mlir-runner",
  "mlir-linalg-ods-yaml-gen",
  "mlir-pdll",
  "mlir-reduce",
  "mlir-query",
  "mlir-lsp-server",
  "tblgen-to-irdl",
];

/** Layer files downstream never links against or runs (clang's C++ library is not LLVM/MLIR). */
const EXCLUDED_LIB = /^(libclang-cpp|LLVMgold|LLVMPolly|libLTO|libRemarks)/;

class DevDistRelocationError extends InvalidInputError {
  override name = "DevDistRelocationError";
}

export interface DevReleaseInfo {
  distribution: string;
  devDistribution: string;
  version: string;
  llvmVersion: string;
  llvmCommit: string;
  platform: string;
  nanobind: string;
  nanobindDomain: string;
  packagePrefix: string;
}

/**
 * Debian-style exports pin the original prefix for symlinked installs and name a system library by
 * absolute path; a relocated tree must do neither. Imported files the kit leaves out lose their
 * existence check, so a downstream build fails only if it uses one.
 */
export function rewriteExportFile(text: string, shipped: (relPath: string) => boolean): string {
  return text
    .replace(
      /get_filename_component\(_realOrig "[^"]*" REALPATH\)\nif\(_realCurr STREQUAL _realOrig\)\n\s*set\(_IMPORT_PREFIX "[^"]*"\)\nendif\(\)\n/g,
      "# (mlir-release: the original install prefix is not pinned; this tree is relocatable)\n",
    )
    .replace(/;\/[^";]*\/libz3\.so(?:\.[0-9.]+)?/g, "")
    .replace(
      /^list\(APPEND _cmake_import_check_files_for_(\S+) "\$\{_IMPORT_PREFIX\}\/([^"]+)" \)$/gm,
      (line, _t: string, rel: string) => (shipped(rel) ? line : `#${line} # not in the dev distribution`),
    );
}

/** Lines of `text` that name one of `forbidden` absolute paths. */
export function absolutePathHits(text: string, forbidden: string[]): string[] {
  const hits: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trimStart().startsWith("#")) return;
    for (const f of forbidden) if (f && line.includes(f)) hits.push(`${i + 1}: ${line.trim().slice(0, 160)}`);
  });
  return hits;
}

/** The dev distribution's CMake and Python templates (files, read at build time). */
const DEV_TEMPLATES_DIR = ["containers", "dev"] as const;
const MODULE_ROOT = resolve(new URL("../..", import.meta.url).pathname);

/** Every template file under containers/dev, sorted (what the factory's dev stamp hashes). */
export function devTemplateFiles(repoRoot: string = MODULE_ROOT): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(join(repoRoot, ...DEV_TEMPLATES_DIR));
  return out;
}

/** A template with every @NAME@ replaced; a placeholder without a value is an error (no half-rendered file). */
export function renderTemplate(text: string, values: Record<string, string>, what: string): string {
  return text.replace(/@([A-Z][A-Z0-9_]*)@/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new InternalError(`${what}: no value for @${name}@`);
    return v;
  });
}

const template = (repoRoot: string, ...rel: string[]): { text: string; what: string } => {
  const path = join(repoRoot, ...DEV_TEMPLATES_DIR, ...rel);
  return { text: readFileSync(path, "utf8"), what: path };
};

/** MLIRReleaseDev.cmake (included by the kit's MLIRConfig.cmake) from containers/dev/MLIRReleaseDev.cmake.in. */
export function devCmakeModule(info: DevReleaseInfo, repoRoot: string = MODULE_ROOT): string {
  const t = template(repoRoot, "MLIRReleaseDev.cmake.in");
  return renderTemplate(
    t.text,
    {
      VERSION: info.version,
      PLATFORM: info.platform,
      LLVM_COMMIT: info.llvmCommit,
      PACKAGE_PREFIX: info.packagePrefix,
      NB_DOMAIN: info.nanobindDomain,
      NANOBIND_VERSION: info.nanobind,
    },
    t.what,
  );
}

/** The dev wheel's import package (`python -m <it> --cmake-dir`): the distribution name with - and . as _. */
export const devPackageName = (devDistribution: string): string => devDistribution.replace(/[-.]/g, "_");

/** The dev wheel's Python package from containers/dev/python/*.in, plus its symlink table. */
export function devPythonPackage(info: DevReleaseInfo, links: Record<string, string>, repoRoot: string = MODULE_ROOT): Record<string, string> {
  const pkg = devPackageName(info.devDistribution);
  const values = {
    DISTRIBUTION: info.distribution,
    VERSION: info.version,
    LLVM_VERSION: info.llvmVersion,
    LLVM_COMMIT: info.llvmCommit,
    PACKAGE: pkg,
    INFO_JSON: JSON.stringify(info),
  };
  const render = (name: string): string => {
    const t = template(repoRoot, "python", `${name}.in`);
    return renderTemplate(t.text, values, t.what);
  };
  return {
    [`${pkg}/__init__.py`]: render("__init__.py"),
    [`${pkg}/__main__.py`]: render("__main__.py"),
    [`${pkg}/_links.json`]: `${JSON.stringify(links, null, 1)}\n`,
  };
}

/**
 * Copy `src` into `dst`: symlinks that stay inside `root` are kept (relative), the rest are
 * replaced by what they point to. Returns the kept symlinks (path relative to `dstRoot` → target).
 */
function copyTree(
  src: string,
  dst: string,
  root: string,
  dstRoot: string,
  keep: (rel: string) => boolean,
  links: Record<string, string>,
): void {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src).sort()) {
    const s = join(src, e);
    const d = join(dst, e);
    const rel = relative(root, s);
    if (!keep(rel)) continue;
    const st = lstatSync(s);
    if (st.isSymbolicLink()) {
      const target = readlinkSync(s);
      const real = resolve(dirname(s), target);
      if (!target.startsWith("/") && (real + sep).startsWith(root + sep) && existsSync(real)) {
        symlinkSync(target, d);
        links[relative(dstRoot, d).split(sep).join("/")] = target;
        continue;
      }
      const realPath = realpathSync(s);
      if (statSync(realPath).isDirectory()) copyTree(realPath, d, realPath, dstRoot, () => true, links);
      else copyFileSync(realPath, d);
    } else if (st.isDirectory()) copyTree(s, d, root, dstRoot, keep, links);
    else if (st.isFile()) copyFileSync(s, d);
  }
}

/** Hard-link a tree (same file system, no copy); symlinks are skipped (recorded separately). */
function linkTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src).sort()) {
    const s = join(src, e);
    const st = lstatSync(s);
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) linkTree(s, join(dst, e));
    else linkSync(s, join(dst, e));
  }
}

function treeSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = lstatSync(p);
    n += st.isDirectory() ? treeSize(p) : st.isFile() ? st.size : 0;
  }
  return n;
}

/** Files under 8 MiB with no NUL in their first 4 KiB, with their text. */
function textFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 8 << 20) {
        const bytes = readFileSync(p);
        if (!bytes.subarray(0, 4096).includes(0)) out.push({ path: p, text: bytes.toString("utf8") });
      }
    }
  };
  walk(dir);
  return out;
}

interface DevDistInput {
  env: ExecEnv;
  progress: Progress;
  repoRoot: string;
  layer: LlvmLayer;
  bindingsBuildDir: string;
  /** An installed `mlir` package of this build (for the aggregate CAPI library). */
  stagedPackageDir: string;
  /**
   * The split: the native wheel ships the aggregate library in mlir/_mlir_libs, and the dev wheel
   * (which requires the runtime wheel, hence the native wheel, ==version) links to that copy
   * instead of carrying a second one. The tarball keeps its own copy (it is used without pip).
   */
  capiFromNativeWheel?: boolean;
  workDir: string;
  outDir: string;
  info: DevReleaseInfo;
  /** Platform tag of the runtime wheels (the dev wheel claims the same). */
  platformTag: string;
  sourceDateEpoch: number;
  generator: string;
}

type DevArtifacts = BuildReport["dev"];

interface DevDistPaths {
  /** mlir-dev-<version>-<platform>: the tree's folder and the tarball's stem. */
  name: string;
  /** <workDir>/dev/<platform>: removed and rebuilt by each run. */
  base: string;
  root: string;
  tarPath: string;
  tarName: string;
  /** <outDir>/<tarName> */
  tarFile: string;
  /** The dev wheel's import package and its staging root. */
  pkg: string;
  wheelRoot: string;
  wheelDist: string;
}

/**
 * Every path the dev distribution writes, from the release's data (version, platform, dev
 * distribution name), each checked to stay under workDir or outDir (PathEscapeError otherwise)
 * before anything is removed or written.
 */
export function devDistPaths(workDir: string, outDir: string, info: Pick<DevReleaseInfo, "version" | "platform" | "devDistribution">): DevDistPaths {
  const name = `mlir-dev-${info.version}-${info.platform}`;
  const base = underRoot(workDir, ["dev", info.platform], `dev distribution platform '${info.platform}'`);
  const what = `dev distribution '${name}'`;
  const tarName = `${name}.tar.zst`;
  const pkg = devPackageName(info.devDistribution);
  const wheelRoot = underRoot(base, ["wheel-root"], what);
  return {
    name,
    base,
    root: underRoot(base, [name], what),
    tarPath: underRoot(base, [`${name}.tar`], what),
    tarName,
    tarFile: underRoot(outDir, [tarName], what),
    pkg,
    wheelRoot,
    wheelDist: underRoot(wheelRoot, [pkg, "dist"], `dev distribution package '${info.devDistribution}'`),
  };
}

/** Copies the layer's prefix into the tree, keeping only what a downstream build needs; returns the tree's symlinks. */
function copyLayer(prefix: string, root: string): Record<string, string> {
  const links: Record<string, string> = {};
  const keep = (rel: string): boolean => {
    const parts = rel.split(sep);
    if (parts.length === 1) return ["bin", "include", "lib"].includes(rel);
    if (parts[0] === "bin") return DEV_TOOLS.includes(parts[1] ?? "");
    if (parts[0] === "lib" && parts.length === 2) return !EXCLUDED_LIB.test(parts[1] ?? "") && !/^python/.test(parts[1] ?? "");
    return true;
  };
  copyTree(prefix, root, prefix, root, keep, links);
  return links;
}

/** The bindings' Python sources and the aggregate CAPI library (with its export map) into the tree. */
async function installBindingSources(input: DevDistInput, root: string): Promise<{ aggregate: string; capiSize: number }> {
  await input.env.run([
    "cmake",
    "--install",
    input.bindingsBuildDir,
    "--component",
    "mlir-python-sources",
    "--prefix",
    root,
  ]);
  const capiDir = join(root, "lib", "mlir-release");
  mkdirSync(capiDir, { recursive: true });
  const libs = join(input.stagedPackageDir, "_mlir_libs");
  const aggregate = readdirSync(libs).find((f) => /^libMLIRPythonCAPI\.so/.test(f) && !lstatSync(join(libs, f)).isSymbolicLink());
  if (!aggregate) throw new InvalidInputError(`${libs}: no libMLIRPythonCAPI.so in the staged package`);
  copyFileSync(join(libs, aggregate), join(capiDir, "libMLIRPythonCAPI.so"));
  const capiSize = statSync(join(capiDir, "libMLIRPythonCAPI.so")).size;
  copyFileSync(join(input.repoRoot, "containers", "bindings", "capi-exports.map"), join(capiDir, "capi-exports.map"));
  return { aggregate, capiSize };
}

/** CMake exports that name only shipped files, the layer fixups, MLIRReleaseDev.cmake and release.json. */
function writeRelocatableCmake(input: DevDistInput, root: string): void {
  const { info } = input;
  const cmakeDir = join(root, "lib", "cmake");
  const shipped = (rel: string): boolean => existsSync(join(root, rel));
  for (const sub of ["llvm", "mlir"]) {
    for (const f of readdirSync(join(cmakeDir, sub))) {
      if (!f.endsWith(".cmake")) continue;
      const p = join(cmakeDir, sub, f);
      const text = readFileSync(p, "utf8");
      const next = rewriteExportFile(text, shipped);
      if (next !== text) writeFileSync(p, next);
    }
  }
  copyFileSync(
    join(input.repoRoot, "containers", "bindings", "cmake", "MLIRReleaseLayerFixups.cmake"),
    join(cmakeDir, "mlir", "MLIRReleaseLayerFixups.cmake"),
  );
  writeFileSync(join(cmakeDir, "mlir", "MLIRReleaseDev.cmake"), devCmakeModule(info, input.repoRoot));
  const mlirConfig = join(cmakeDir, "mlir", "MLIRConfig.cmake");
  writeFileSync(
    mlirConfig,
    `${readFileSync(mlirConfig, "utf8")}\n# mlir-release dev distribution\ninclude("\${CMAKE_CURRENT_LIST_DIR}/MLIRReleaseDev.cmake")\n`,
  );
  mkdirSync(join(root, "share", "mlir-release"), { recursive: true });
  writeFileSync(join(root, "share", "mlir-release", "release.json"), `${JSON.stringify(info, null, 2)}\n`);
}

/** No path of this machine may survive in a config or script the downstream build reads. */
function assertRelocatable(input: DevDistInput, paths: DevDistPaths, prefix: string): void {
  const { root, name } = paths;
  const forbidden = [prefix, input.layer.prefix, input.bindingsBuildDir, input.workDir, input.repoRoot, "/usr/lib/llvm-"];
  const problems: string[] = [];
  for (const f of [...textFiles(join(root, "lib", "cmake")), ...textFiles(join(root, "bin")), ...textFiles(join(root, "share"))]) {
    for (const h of absolutePathHits(f.text, forbidden)) problems.push(`${relative(root, f.path)}:${h}`);
  }
  if (problems.length) {
    throw new DevDistRelocationError(
      `dev distribution ${name} is not relocatable; build-machine paths in:\n  ${problems.slice(0, 20).join("\n  ")}`,
    );
  }
}

/** The reproducible tarball (sorted, fixed mtime and owner, no atime/ctime), zstd-compressed into outDir. */
async function writeDevTarball(input: DevDistInput, paths: DevDistPaths): Promise<void> {
  const { base, tarPath, tarFile, name } = paths;
  await input.env.run([
    "tar",
    "--sort=name",
    `--mtime=@${input.sourceDateEpoch}`,
    "--owner=0",
    "--group=0",
    "--numeric-owner",
    "--format=posix",
    "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
    "-C",
    base,
    "-cf",
    tarPath,
    name,
  ]);
  rmSync(tarFile, { force: true });
  await input.env.run(["zstd", "-q", "-T0", "-12", "--rm", "-o", tarFile, tarPath]);
}

/** The dev wheel: the tree under <pkg>/dist, the tools as console scripts; the CAPI library from the native wheel when split. */
async function buildDevWheel(input: DevDistInput, paths: DevDistPaths, links: Record<string, string>, aggregate: string): Promise<{ wheel: { fileName: string; path: string }; tag: WheelTag }> {
  const { info } = input;
  const { root, pkg, wheelRoot, wheelDist } = paths;
  linkTree(root, wheelDist);
  // <pkg>/dist/lib/mlir-release/ → site-packages/mlir/_mlir_libs/, where the native wheel installs the library.
  const capiLink = "lib/mlir-release/libMLIRPythonCAPI.so";
  const wheelLinks = input.capiFromNativeWheel ? { ...links, [capiLink]: `../../../../mlir/_mlir_libs/${aggregate}` } : links;
  if (input.capiFromNativeWheel) rmSync(join(wheelDist, ...capiLink.split("/")));
  const tag: WheelTag = { python: "py3", abi: "none", platform: input.platformTag };
  const described = devWheelDescription(`LLVM/MLIR ${info.llvmVersion} dev distribution matching ${info.distribution} ${info.version}`, await systemDependencies(root));
  const wheel = await assembleWheel({
    root: wheelRoot,
    packageName: pkg,
    metadata: {
      distribution: info.devDistribution,
      version: info.version,
      ...described,
      license: "Apache-2.0 WITH LLVM-exception",
      requiresPython: ">=3.10",
      requiresDist: [`${info.distribution}==${info.version}`, `nanobind==${info.nanobind}`],
      projectUrls: {},
    },
    tag,
    sourceDateEpoch: input.sourceDateEpoch,
    generator: input.generator,
    // The tools on PATH (mlir-opt, FileCheck, ...): entry points into the tree's bin/.
    extraFiles: { ...devPythonPackage(info, wheelLinks, input.repoRoot), [`${pkg}/_tools.py`]: toolsModule() },
    consoleScripts: toolConsoleScripts(pkg),
    outDir: input.outDir,
  });
  rmSync(wheelRoot, { recursive: true, force: true });
  return { wheel, tag };
}

export async function buildDevDistribution(input: DevDistInput): Promise<DevArtifacts> {
  const { progress } = input;
  const paths = devDistPaths(input.workDir, input.outDir, input.info);
  const { base, root, tarName, tarFile } = paths;
  rmSync(base, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });

  progress.step("dev distribution: copy the layer");
  const prefix = realpathSync(input.layer.prefix);
  const links = copyLayer(prefix, root);

  progress.step("dev distribution: Python binding sources");
  const { aggregate, capiSize } = await installBindingSources(input, root);

  progress.step("dev distribution: relocatable CMake configs");
  writeRelocatableCmake(input, root);
  assertRelocatable(input, paths, prefix);
  const unpackedSize = treeSize(root);

  progress.step("dev distribution: tarball");
  await writeDevTarball(input, paths);

  progress.step("dev distribution: dev wheel");
  const { wheel, tag } = await buildDevWheel(input, paths, links, aggregate);

  return [
    {
      kind: "dev-tarball",
      fileName: tarName,
      sha256: await sha256File(tarFile),
      size: statSync(tarFile).size,
      unpackedSize,
    },
    {
      kind: "dev-wheel",
      fileName: wheel.fileName,
      sha256: await sha256File(wheel.path),
      size: statSync(wheel.path).size,
      unpackedSize: input.capiFromNativeWheel ? unpackedSize - capiSize : unpackedSize,
      tag,
    },
  ];
}
