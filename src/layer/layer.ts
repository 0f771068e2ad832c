// The LLVM layer: an installed LLVM+MLIR prefix the bindings build against. Two providers behind
// one interface: `prebuilt` (an existing prefix such as Debian's /usr/lib/llvm-22) and `source`
// (configure + build + install of llvm/ with MLIR, cached by (commit, platform, options hash)).
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import { ninjaPercent, type Progress } from "../progress.js";
import { InvalidInputError } from "../errors.js";
import { CompilerCacheSettings } from "../schema/config.js";
import { type PlatformId } from "../schema/platform.js";
import type { LlvmSourceTree } from "../source/tree.js";
import { canonicalHash } from "../util/hash.js";
import { dirBytes, requireFreeSpace, type SpaceNeed } from "../util/free-space.js";
import { withLock } from "../util/lock.js";
import { dirLayerStore, type LayerStore, restoreLayer, saveLayer } from "./artifact.js";
import { type CompilerCacheStats, startCompilerCache, statsLine } from "./compiler-cache.js";

export interface LlvmLayer {
  kind: "prebuilt" | "source";
  /** Install prefix: bin/, lib/, include/, lib/cmake/{llvm,mlir}. */
  prefix: string;
  version: string;
  /** Cache key: (identity, platform, options hash). */
  key: string;
  mlirCmakeDir: string;
  toolsDir: string;
  libDir: string;
}

export class LayerVersionError extends InvalidInputError {
  override name = "LayerVersionError";
}

export function readPrefixVersion(prefix: string): string {
  const cfg = join(prefix, "lib", "cmake", "llvm", "LLVMConfig.cmake");
  if (!existsSync(cfg)) {
    throw new InvalidInputError(`LLVM layer prefix ${prefix} has no lib/cmake/llvm/LLVMConfig.cmake`);
  }
  const m = /set\(LLVM_PACKAGE_VERSION\s+([^\s)]+)\)/.exec(readFileSync(cfg, "utf8"));
  if (!m?.[1]) throw new InvalidInputError(`${cfg}: no LLVM_PACKAGE_VERSION`);
  return m[1].replace(/git$/, "");
}

const layerOf = (kind: LlvmLayer["kind"], prefix: string, version: string, key: string): LlvmLayer => ({
  kind,
  prefix,
  version,
  key,
  mlirCmakeDir: join(prefix, "lib", "cmake", "mlir"),
  toolsDir: join(prefix, "bin"),
  libDir: join(prefix, "lib"),
});

/** An existing install prefix; its version must equal the source tree's exactly. */
export function prebuiltLayer(prefixArg: string, source: LlvmSourceTree, platform: PlatformId): LlvmLayer {
  const prefix = resolve(prefixArg);
  const version = readPrefixVersion(prefix);
  if (version !== source.version.text.replace(/-.*$/, "")) {
    throw new LayerVersionError(
      `LLVM layer ${prefix} is LLVM ${version}, but the source tree (${source.root}) is ${source.version.text}: ` +
        `the bindings must be built against the exact same LLVM`,
    );
  }
  if (!existsSync(join(prefix, "lib", "cmake", "mlir", "MLIRConfig.cmake"))) {
    throw new InvalidInputError(`LLVM layer ${prefix} has no MLIR (lib/cmake/mlir/MLIRConfig.cmake missing)`);
  }
  return layerOf("prebuilt", prefix, version, `prebuilt-${platform}-${version}-${canonicalHash({ prefix }).slice(0, 12)}`);
}

export interface SourceLayerOptions {
  env: ExecEnv;
  progress: Progress;
  cacheDir: string;
  platform: PlatformId;
  cmakeOptions: Record<string, string>;
  /** Build only these targets and skip install (the tests' check of the provider). */
  targets?: string[];
  jobs?: number;
  /** The compiler cache (default: sccache with a local directory under cacheDir). */
  compilerCache?: CompilerCacheSettings;
  /** sccache binary; default: `sccache` on PATH. */
  sccache?: string;
  /** Where layer archives are found and added (default: <cacheDir>/layer-artifacts). */
  store?: LayerStore;
  /** mtime of every archive member (the source's date: equal layers give equal archives). */
  archiveMtime?: number;
}

/** The layer's cache key: the same (source identity, platform, options) always maps to one dir.
 * Compiler-cache settings are not part of it: a cache never changes the layer's bytes. */
export function sourceLayerKey(source: LlvmSourceTree, platform: PlatformId, cmakeOptions: Record<string, string>): string {
  return `${platform}-${canonicalHash({ source: source.identity, cmakeOptions }).slice(0, 16)}`;
}

export function sourceLayerConfigureArgs(
  source: LlvmSourceTree,
  buildDir: string,
  installDir: string,
  cmakeOptions: Record<string, string>,
  launcher: string | undefined,
): string[] {
  const defs = Object.entries({
    ...cmakeOptions,
    CMAKE_INSTALL_PREFIX: installDir,
    ...(launcher ? { CMAKE_C_COMPILER_LAUNCHER: launcher, CMAKE_CXX_COMPILER_LAUNCHER: launcher } : {}),
  })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `-D${k}=${v}`);
  return ["cmake", "-G", "Ninja", "-S", join(source.root, "llvm"), "-B", buildDir, ...defs];
}

/** Where the from-source layer of `key` is installed in a cache (the build's planned prefix). */
export const sourceLayerInstallDir = (cacheDir: string, key: string): string => join(cacheDir, "layers", key, "install");

export async function sourceLayer(source: LlvmSourceTree, opts: SourceLayerOptions): Promise<SourceLlvmLayer> {
  const key = sourceLayerKey(source, opts.platform, opts.cmakeOptions);
  const installDir = sourceLayerInstallDir(opts.cacheDir, key);
  const dir = dirname(installDir);
  const stamp = join(installDir, LAYER_STAMP);
  const store = opts.store ?? dirLayerStore(join(opts.cacheDir, "layer-artifacts"));
  if (!opts.targets) {
    if (existsSync(stamp)) {
      opts.progress.step(`layer ${key}: installed in the cache`);
      return { ...layerOf("source", installDir, readPrefixVersion(installDir), key), origin: "cache" };
    }
    opts.progress.step(`layer ${key}: looking for its archive in ${store.root}`);
    if (await restoreLayer(opts.env, store, key, installDir)) {
      if (!existsSync(stamp)) throw new InvalidInputError(`layer archive of ${key} in ${store.root} has no ${LAYER_STAMP}: not a layer`);
      opts.progress.step(`layer ${key}: restored from ${store.root}, nothing built`);
      return { ...layerOf("source", installDir, readPrefixVersion(installDir), key), origin: "archive" };
    }
  }
  const work = layerWorkDirs(opts.cacheDir, opts.platform);
  mkdirSync(work.root, { recursive: true });
  const lock = {
    lockPath: `${work.root}.lock`,
    staleMs: 60_000,
    updateMs: 15_000,
    retries: { retries: 24 * 60, minTimeout: 60_000, maxTimeout: 60_000 },
    onCompromised: (e: Error) => opts.progress.info(`layer work folder ${work.root}: lock lost (${e.message})`),
  };
  return withLock(work.root, lock, () => buildInWorkDirs(source, opts, { key, dir, installDir, stamp, store, work }));
}

/**
 * Where a layer is configured and compiled: one folder per platform under the cache, the same
 * absolute paths for every key. sccache's preprocessor cache (its direct mode) keys a translation
 * unit by the absolute paths of the source and of every header it read, and SCCACHE_BASEDIRS does
 * not apply to that lookup (sccache 0.16): in a build directory named by the key — a new name for
 * every LLVM commit — each hit ran the preprocessor again (0.1–0.25 s per unit). So the source tree
 * is reached through a stable link and the build directory has a stable name; it is emptied
 * whenever the key changes (a fresh build directory, as on a fresh runner) and kept for a resume of
 * the same key. The install tree stays per key.
 */
export function layerWorkDirs(cacheDir: string, platform: PlatformId): { root: string; source: string; build: string; keyFile: string } {
  // Under layers/ (not a key: keys are <platform>-<hash>), so the Dagger jobs' locked layer volume holds it.
  const root = join(cacheDir, "layers", ".work", platform);
  return { root, source: join(root, "llvm-project"), build: join(root, "build"), keyFile: join(root, "key") };
}

/** Points `link` at `target` (a junction on Windows: no privilege needed), replacing another target. */
function pointLink(link: string, target: string): void {
  let current: string | undefined;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : "";
  } catch {
    current = undefined;
  }
  if (current === target) return;
  if (current !== undefined) current === "" ? rmSync(link, { recursive: true, force: true }) : unlinkSync(link);
  symlinkSync(target, link, "junction");
}

/** A from-source layer's disk: build folder 2.8 GB, install 1.8 GB, archive 0.35 GB (23.1.1, the
 * default options, no package's projects: clang's were never built from source here), with room. */
const SOURCE_LAYER_BYTES = 6e9;

/**
 * What building the layer of `key` still needs on the cache's disk: nothing once it is installed; a
 * resumed build of the same key has written part of it already.
 */
export function sourceLayerSpaceNeed(cacheDir: string, platform: PlatformId, key: string): SpaceNeed {
  const installDir = sourceLayerInstallDir(cacheDir, key);
  const work = layerWorkDirs(cacheDir, platform);
  const sameKey = existsSync(work.keyFile) && readFileSync(work.keyFile, "utf8").trim() === key;
  const written = existsSync(join(installDir, LAYER_STAMP)) ? SOURCE_LAYER_BYTES : dirBytes(installDir) + (sameKey ? dirBytes(work.build) : 0);
  return { path: join(cacheDir, "layers"), bytes: SOURCE_LAYER_BYTES - written, what: `the from-source layer ${key}: build folder, install, archive` };
}

async function buildInWorkDirs(
  source: LlvmSourceTree,
  opts: SourceLayerOptions,
  at: { key: string; dir: string; installDir: string; stamp: string; store: LayerStore; work: ReturnType<typeof layerWorkDirs> },
): Promise<SourceLlvmLayer> {
  const { key, dir, installDir, stamp, store, work } = at;
  const buildDir = work.build;
  // Before anything is made or emptied; a partial build (the tests' llvm-tblgen) is small.
  if (!opts.targets) requireFreeSpace([sourceLayerSpaceNeed(opts.cacheDir, opts.platform, key)], "point the cache (--cache, MLIR_RELEASE_CACHE) at a larger disk");
  const previous = existsSync(work.keyFile) ? readFileSync(work.keyFile, "utf8").trim() : undefined;
  if (previous !== key && existsSync(buildDir)) {
    opts.progress.step(`layer work folder: emptying the build directory of ${previous ?? "an unknown key"} for ${key}`);
    rmSync(buildDir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(work.keyFile, `${key}\n`);
  pointLink(work.source, resolve(source.root));
  const tree: LlvmSourceTree = { ...source, root: work.source };
  const cache = await startCompilerCache(
    opts.env,
    opts.compilerCache ?? CompilerCacheSettings.parse({}),
    { defaultDir: join(opts.cacheDir, "sccache"), basedirs: [work.source, resolve(source.root), buildDir, installDir], logFile: join(dir, "sccache.log") },
    opts.sccache,
  );
  const runEnv = cache?.env ?? {};
  let stats: CompilerCacheStats | undefined;
  try {
    if (!existsSync(join(buildDir, "build.ninja"))) {
      opts.progress.step(`configure llvm/ (${key})${cache ? ` with sccache (${statsScope(runEnv)})` : ""}`);
      await opts.env.run(sourceLayerConfigureArgs(tree, buildDir, installDir, opts.cmakeOptions, cache?.launcher), { env: runEnv });
    }
    const ninja = ["ninja", "-C", buildDir, ...(opts.jobs ? [`-j${opts.jobs}`] : [])];
    const what = opts.targets ?? [layerInstallTarget(opts.cmakeOptions)];
    opts.progress.step(`build ${what.join(" ")}`, 0);
    await opts.env.run([...ninja, "--", ...what], {
      env: runEnv,
      onLine: (l) => {
        const p = ninjaPercent(l);
        if (p !== undefined) opts.progress.step(`build ${what.join(" ")}`, p);
      },
    });
  } finally {
    stats = await cache?.stop();
  }
  if (stats) opts.progress.info(statsLine(stats));
  const extra = stats ? { compilerCache: stats } : {};
  if (opts.targets) {
    // A partial build is not a layer; report the build dir for the caller's checks.
    return { ...layerOf("source", buildDir, source.version.text, key), origin: "built", ...extra };
  }
  writeFileSync(stamp, JSON.stringify({ key, source: source.identity, options: opts.cmakeOptions }, null, 2));
  opts.progress.step(`layer ${key}: archiving into ${store.root}`);
  await saveLayer(opts.env, store, key, installDir, opts.archiveMtime ?? 0);
  return { ...layerOf("source", installDir, readPrefixVersion(installDir), key), origin: "built", ...extra };
}

/** `install-distribution` when the options name the components to install, else the whole `install`. */
export const layerInstallTarget = (cmakeOptions: Record<string, string>): string =>
  cmakeOptions["LLVM_DISTRIBUTION_COMPONENTS"] ? "install-distribution" : "install";

export const LAYER_STAMP = ".mlir-release-layer.json";

export interface SourceLlvmLayer extends LlvmLayer {
  /** built now, found installed in the cache, or restored from a layer archive. */
  origin: "built" | "cache" | "archive";
  compilerCache?: CompilerCacheStats;
}

const statsScope = (env: Record<string, string>): string =>
  env["SCCACHE_GHA_ENABLED"] ? "GitHub Actions cache" : `dir ${env["SCCACHE_DIR"] ?? "?"}`;
