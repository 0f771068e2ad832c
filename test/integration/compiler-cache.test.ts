// sccache through the source layer's own code path (sourceLayer → configure with the launcher →
// ninja), on the small CMake stand-in for llvm/ in test/fixtures/mini-layer: the same translation
// units compiled from two different source roots and build directories must be cache HITS (read
// from `sccache --show-stats --stats-format json`), and a hit's object must equal a compile without
// the cache (a cache never changes bytes).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { countDirectHits, parseSccacheStats, sccacheEnv } from "../../src/layer/compiler-cache.js";
import { compilerCacheSettings } from "../../src/options/environment.js";
import { layerWorkDirs, sourceLayer, type SourceLlvmLayer } from "../../src/layer/layer.js";
import { CompilerCacheSettings, type CompilerCacheSettings as Settings } from "../../src/schema/config.js";
import { readTreeVersion, type LlvmSourceTree } from "../../src/source/tree.js";
import { REPO, TOOLS, testEnv, testProgress } from "../support/env.js";

const FIXTURE = join(REPO, "test", "fixtures", "mini-layer");
const SCCACHE = join(TOOLS, "bin", "sccache");
const work = mkdtempSync(join(tmpdir(), "mlir-release-sccache-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the fixture at its own root: a different absolute path for every source file. */
function tree(name: string): LlvmSourceTree {
  const root = join(work, name, "llvm-project");
  cpSync(FIXTURE, root, { recursive: true });
  return { root, version: readTreeVersion(root), identity: "fixture:mini-layer", ref: { kind: "dir", path: root } };
}

const objects = (buildDir: string): Map<string, Buffer> => {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".o")) out.set(relative(buildDir, p), readFileSync(p));
    }
  };
  walk(buildDir);
  return out;
};

async function build(name: string, compilerCache: Settings, at?: { cacheDir: string; day: string }): Promise<SourceLlvmLayer> {
  return sourceLayer(tree(name), {
    env: testEnv(`compiler-cache-${name}`),
    progress: testProgress(`compiler-cache-${name}`),
    cacheDir: at?.cacheDir ?? join(work, name, "cache"),
    platform: "linux-x86_64",
    // An unused definition stands for the next day's commit: another key, the same compile lines.
    cmakeOptions: { CMAKE_BUILD_TYPE: "Release", ...(at ? { MLIR_RELEASE_TEST_DAY: at.day } : {}) },
    targets: ["all"],
    compilerCache,
    sccache: SCCACHE,
  });
}

describe("sccache in the source layer", () => {
  const shared = CompilerCacheSettings.parse({ dir: join(work, "sccache") });

  it("hits from a second source root and build directory, and a hit equals an uncached compile", async () => {
    const first = await build("first", shared);
    const tus = 1 + 7; // tools/gen.cpp + the library's seven sources
    expect(first.compilerCache).toMatchObject({ hits: 0, misses: tus, errors: 0 });

    const second = await build("second", shared);
    expect(second.prefix).not.toBe(first.prefix);
    // Another cache folder, so other absolute paths: object-cache hits through SCCACHE_BASEDIRS,
    // each unit preprocessed again to hash it (sccache's direct mode keys absolute paths).
    expect(second.compilerCache).toMatchObject({ hits: tus, misses: 0, errors: 0, hitRate: 1, directHits: 0 });

    const uncached = await build("uncached", CompilerCacheSettings.parse({ kind: "none" }));
    expect(uncached.compilerCache).toBeUndefined();
    const cmakeCache = readFileSync(join(uncached.prefix, "CMakeCache.txt"), "utf8");
    expect(cmakeCache).not.toMatch(/COMPILER_LAUNCHER/);
    const hit = objects(second.prefix);
    const fresh = objects(uncached.prefix);
    expect([...hit.keys()].sort()).toEqual([...fresh.keys()].sort());
    expect(hit.size).toBe(tus);
    for (const [rel, bytes] of hit) expect(bytes.equals(fresh.get(rel) as Buffer), rel).toBe(true);
  }, 120_000);

  it("the next day's build (another key, another source root) in the same cache folder reuses the stable work paths: direct-mode hits", async () => {
    const settings = CompilerCacheSettings.parse({ dir: join(work, "sccache-daily") });
    const cacheDir = join(work, "daily-cache");
    const day1 = await build("day1", settings, { cacheDir, day: "1" });
    expect(day1.compilerCache).toMatchObject({ hits: 0, misses: 8, directHits: 0 });
    const marker = join(day1.prefix, "left-by-day1");
    writeFileSync(marker, "");
    const day2 = await build("day2", settings, { cacheDir, day: "2" });
    expect(day2.key).not.toBe(day1.key);
    // The same build directory path, emptied for the new key (a fresh directory, as on a fresh runner).
    expect(day2.prefix).toBe(day1.prefix);
    expect(existsSync(marker)).toBe(false);
    expect(day2.compilerCache).toMatchObject({ hits: 8, misses: 0, directHits: 8 });
    // The source is reached through the work folder's link, now pointing at day 2's tree.
    expect(realpathSync(layerWorkDirs(cacheDir, "linux-x86_64").source)).toBe(realpathSync(join(work, "day2", "llvm-project")));
  }, 120_000);

  it("a read-only cache (an untrusted build) looks up but stores nothing", async () => {
    const dir = join(work, "sccache-read-only");
    const ro = await build("read-only", CompilerCacheSettings.parse({ dir, readOnly: true }));
    expect(ro.compilerCache).toMatchObject({ hits: 0, misses: 8 });
    const stored = (d: string): string[] =>
      readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    expect(stored(dir)).toEqual([]);
    expect(stored(shared.dir as string).length).toBeGreaterThanOrEqual(8);
  }, 120_000);
});

describe("sccache settings", () => {
  const scope = { defaultDir: "/c/sccache", basedirs: ["/src", "/b", "/src"], logFile: "/b/sccache.log" };
  it("a local directory, its basedirs once each, read-write unless untrusted", () => {
    const env = sccacheEnv(CompilerCacheSettings.parse({}), scope, "/t/s.sock");
    expect(env).toMatchObject({ SCCACHE_DIR: "/c/sccache", SCCACHE_BASEDIRS: "/src:/b", SCCACHE_LOCAL_RW_MODE: "READ_WRITE", SCCACHE_SERVER_UDS: "/t/s.sock" });
    expect(env["SCCACHE_GHA_ENABLED"]).toBeUndefined();
    expect(sccacheEnv(CompilerCacheSettings.parse({ readOnly: true }), scope, "/s")["SCCACHE_LOCAL_RW_MODE"]).toBe("READ_ONLY");
    const windows = sccacheEnv(CompilerCacheSettings.parse({}), scope, 24321);
    expect(windows).toMatchObject({ SCCACHE_SERVER_PORT: "24321" });
    expect(windows["SCCACHE_SERVER_UDS"]).toBeUndefined();
  });
  it("the GitHub Actions backend instead of a directory", () => {
    const env = sccacheEnv(CompilerCacheSettings.parse({ backend: "gha", readOnly: true }), scope, "/s");
    expect(env).toMatchObject({ SCCACHE_GHA_ENABLED: "on", SCCACHE_GHA_RW_MODE: "READ_ONLY" });
    expect(env["SCCACHE_DIR"]).toBeUndefined();
  });
  it("rejects unknown keys and bad sizes", () => {
    expect(() => CompilerCacheSettings.parse({ kind: "ccache" })).toThrow();
    expect(() => CompilerCacheSettings.parse({ maxSize: "lots" })).toThrow(/a size such as 10G/);
    expect(() => CompilerCacheSettings.parse({ dirr: "/x" })).toThrow();
  });
  it("CI lays MLIR_RELEASE_COMPILER_CACHE over the config, validated", () => {
    const config = CompilerCacheSettings.parse({ maxSize: "5G" });
    expect(compilerCacheSettings(config, {})).toBe(config);
    expect(compilerCacheSettings(config, { MLIR_RELEASE_COMPILER_CACHE: '{"readOnly":true}' })).toMatchObject({ readOnly: true, maxSize: "5G", kind: "sccache" });
    expect(compilerCacheSettings(config, { MLIR_RELEASE_COMPILER_CACHE: '{"kind":"none"}' }).kind).toBe("none");
    expect(() => compilerCacheSettings(config, { MLIR_RELEASE_COMPILER_CACHE: "none" })).toThrow(/MLIR_RELEASE_COMPILER_CACHE: not JSON/);
    expect(() => compilerCacheSettings(config, { MLIR_RELEASE_COMPILER_CACHE: '{"kind":"ccache"}' })).toThrow(/MLIR_RELEASE_COMPILER_CACHE: kind:/);
  });
  it("parses sccache 0.16's stats JSON", () => {
    const s = parseSccacheStats(
      JSON.stringify({
        stats: {
          compile_requests: 12,
          requests_not_cacheable: 1,
          cache_hits: { counts: { "C/C++": 9 }, adv_counts: {} },
          cache_misses: { counts: { "C/C++": 1 }, adv_counts: {} },
          cache_errors: { counts: {}, adv_counts: {} },
        },
        version: "0.16.0",
      }),
    );
    expect(s).toEqual({ hits: 9, misses: 1, compileRequests: 12, notCacheable: 1, errors: 0, hitRate: 0.9, directHits: 0 });
    expect(() => parseSccacheStats("{}")).toThrow();
  });
  it("counts direct-mode hits from sccache's log", () => {
    const line = (m: string, t: string): string => `[2026-12-01T19:31:48Z DEBUG ${m}] ${t}\n`;
    const log = line("sccache::compiler::c", "Preprocessor cache hit: a7eb") + line("sccache::compiler::compiler", "[t.o]: Cache hit in 0.000 s") + line("sccache::compiler::c", "Preprocessor cache hit: 1f00");
    expect(countDirectHits(log)).toBe(2);
    expect(countDirectHits(line("sccache::compiler::compiler", "[t.o]: Cache miss in 0.003 s"))).toBe(0);
  });
});
