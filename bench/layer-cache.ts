// npm run bench:layer-cache — what the compiler cache saves on the from-source layer.
//
// From the pinned 22.1.8 source (Debian's orig tarball, extracted once into the cache), with the
// release's layer CMake options, the targets below are built five times through the layer's own
// code path (sourceLayer with targets), each in a FRESH build directory:
//   1. cold:      source copy A, cache folder 1, empty sccache directory;
//   2. warm:      source copy B = A + the "day of commits" patch below, cache folder 2 (so every
//                 absolute path differs from run 1), the sccache directory from run 1;
//   3. no change: source copy B again, cache folder 3;
//   4. warm, CI layout: copy B in cache folder 1 again, its build directory emptied first — what the
//                 next day's fresh runner does: another source tree and build directory, reached
//                 at the same absolute paths (the layer's stable work folder, src/layer/layer.ts);
//   5. no change, CI layout: as 4 with no change.
// Runs 2–3 are the issue's measure (hits across different paths: SCCACHE_BASEDIRS, each hit still
// preprocessed); 4–5 add sccache's direct mode (no preprocessor run for an unchanged unit).
// Printed: configure and build times, hits (direct) and misses, the hit rate on the translation
// units the patch does not touch (from the cold build's ninja deps), where each build's seconds went
// (.ninja_log: compiles, tablegen runs, links), the ratios to cold, and CPU seconds.
// Targets: warm ≤ 15 % of cold, no-change ≤ 5 % of cold, hit rate ≥ 90 % on unchanged TUs.
//
// The patch (a day of LLVM commits, by shape): one new function in each of ten source files across
// LLVM's Support and TableGen and MLIR's TableGen library, and one new inline function in
// llvm/lib/TableGen/TGLexer.h, the TableGen lexer's header included by the parser, lexer and
// driver sources among them.
// Source copies are hard-linked trees; a patched file is rewritten (new inode), never edited in place.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { HostEnv } from "../src/exec/host.js";
import { type EdgeSeconds, edgeSeconds } from "./ninja-log.js";
import { layerWorkDirs, sourceLayer, type SourceLlvmLayer } from "../src/layer/layer.js";
import type { Progress } from "../src/progress.js";
import { CompilerCacheSettings, ReleaseConfig } from "../src/schema/config.js";
import { DEBIAN_LLVM_22_1_8, type LlvmSourceTree, tarballSource } from "../src/source/tree.js";

const REPO = resolve(new URL("..", import.meta.url).pathname);
const CACHE = process.env["MLIR_RELEASE_CACHE"] ?? join(REPO, ".cache");
const TOOLS = process.env["MLIR_RELEASE_TOOLS"] ?? join(REPO, ".cache", "tools");
const WORK = join(CACHE, "bench", "layer-cache");
const LOG = join(WORK, "bench.log");

// mlir-tblgen and MLIR's IR and parser libraries (with LLVMSupport, LLVMTableGen and MLIR's
// TableGen library under them): ~10 min cold on an idle 2-core machine. No dialects: they add ~670
// tablegen runs, which no compiler cache serves, far beyond their share of the full layer.
export const TARGETS = ["mlir-tblgen", "MLIRIR", "MLIRParser"];

/** The "day of commits": one new function in each of these sources. */
export const PATCHED_SOURCES = [
  "llvm/lib/Support/StringRef.cpp",
  "llvm/lib/Support/APInt.cpp",
  "llvm/lib/Support/CommandLine.cpp",
  "llvm/lib/Support/raw_ostream.cpp",
  "llvm/lib/TableGen/Record.cpp",
  "llvm/lib/TableGen/TGParser.cpp",
  "llvm/lib/TableGen/TGLexer.cpp",
  "llvm/lib/TableGen/Main.cpp",
  "mlir/lib/TableGen/Operator.cpp",
  "mlir/lib/TableGen/Pattern.cpp",
];
export const PATCHED_HEADER = "llvm/lib/TableGen/TGLexer.h";

const symbol = (p: string): string => p.replace(/[^A-Za-z0-9]/g, "_");

function rewrite(file: string, text: string): void {
  unlinkSync(file); // break the hard link to the pristine tree
  writeFileSync(file, text);
}

function applyDayOfCommits(root: string): void {
  for (const rel of PATCHED_SOURCES) {
    const f = join(root, rel);
    rewrite(f, `${readFileSync(f, "utf8")}\nextern "C" int mlir_release_bench_${symbol(rel)}() { return ${rel.length}; }\n`);
  }
  const h = join(root, PATCHED_HEADER);
  const text = readFileSync(h, "utf8");
  const at = text.lastIndexOf("#endif");
  if (at < 0) throw new Error(`${h}: no include guard to patch inside`);
  rewrite(h, `${text.slice(0, at)}inline int mlirReleaseBenchParserRevision() { return 2; }\n\n${text.slice(at)}`);
}

const say = (s: string): void => {
  process.stdout.write(`${s}\n`);
  writeFileSync(LOG, `${s}\n`, { flag: "a" });
};

function timedProgress(name: string, marks: { buildStart?: number }): Progress {
  const t0 = Date.now();
  let last = 0;
  const line = (s: string): void => say(`[${name} ${Math.round((Date.now() - t0) / 1000)}s] ${s}`);
  return {
    stage: line,
    info: line,
    step: (s, pct) => {
      if (s.startsWith("build ") && marks.buildStart === undefined) marks.buildStart = Date.now();
      if (pct !== undefined && pct > 0 && pct < 100 && Date.now() - last < 30_000) return;
      last = Date.now();
      line(pct === undefined ? s : `${s} ${Math.round(pct)}%`);
    },
  };
}

// CPU seconds per phase, so a loaded machine does not bend the ratios: when it may (root on Linux),
// the bench joins a cgroup of its own (v1 cpuacct; v2 where the cpu controller is delegated), so
// every process the build starts is counted, the daemonized sccache server and its compilers too.
// BENCH_CPU_SHARES=<n> also gives the bench's group that CPU weight (v1 cpu.shares) over the rest.
function cpuMeter(): { what: string; seconds: () => number } | undefined {
  const name = `mlir-release-bench-${process.pid}`;
  const join1 = (ctrl: string): string | undefined => {
    const dir = join("/sys/fs/cgroup", ctrl, name);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "cgroup.procs"), `${process.pid}\n`);
      return dir;
    } catch {
      return undefined;
    }
  };
  const shares = process.env["BENCH_CPU_SHARES"];
  if (shares && /^[0-9]+$/.test(shares)) {
    const dir = join1("cpu");
    if (dir) writeFileSync(join(dir, "cpu.shares"), shares);
  }
  const v1 = join1("cpuacct");
  if (v1) return { what: "cgroup v1 cpuacct.usage", seconds: () => Number(readFileSync(join(v1, "cpuacct.usage"), "utf8")) / 1e9 };
  const v2 = join1("");
  if (v2) {
    return {
      what: "cgroup v2 cpu.stat",
      seconds: () => Number(/usage_usec (\d+)/.exec(readFileSync(join(v2, "cpu.stat"), "utf8"))?.[1] ?? NaN) / 1e6,
    };
  }
  return undefined;
}
const meter = cpuMeter();

interface Run {
  name: string;
  /** Seconds of ninja's edges by kind (.ninja_log of this build). */
  edges: EdgeSeconds;
  cpuS: number;
  configureS: number;
  buildS: number;
  totalS: number;
  layer: SourceLlvmLayer;
}

async function run(name: string, tree: LlvmSourceTree, cacheDir: string, cacheFolder = name): Promise<Run> {
  const marks: { buildStart?: number } = {};
  const t0 = Date.now();
  const c0 = meter?.seconds() ?? NaN;
  const layer = await sourceLayer(tree, {
    env: new HostEnv(join(WORK, "logs", `${name}.log`)),
    progress: timedProgress(name, marks),
    cacheDir: join(WORK, cacheFolder),
    platform: "linux-x86_64",
    cmakeOptions: ReleaseConfig.parse({}).layerCmakeOptions,
    targets: TARGETS,
    compilerCache: CompilerCacheSettings.parse({ dir: cacheDir }),
    sccache: join(TOOLS, "bin", "sccache"),
  });
  const end = Date.now();
  say(`[${name}] done in ${((end - t0) / 1000).toFixed(0)} s, ${uptime()}`);
  const b = marks.buildStart ?? t0;
  const edges = edgeSeconds(readFileSync(join(layer.prefix, ".ninja_log"), "utf8"));
  return { name, edges, cpuS: (meter?.seconds() ?? NaN) - c0, configureS: (b - t0) / 1000, buildS: (end - b) / 1000, totalS: (end - t0) / 1000, layer };
}


/** TUs of a build dir whose recorded dependencies include one of `files` (paths relative to root). */
function tusDependingOn(buildDir: string, root: string, files: string[]): { all: number; touched: number } {
  const out = execFileSync("ninja", ["-C", buildDir, "-t", "deps"], { maxBuffer: 1 << 30 }).toString();
  const wanted = new Set(files.map((f) => join(root, f)));
  let all = 0;
  let touched = 0;
  let current = false;
  for (const l of out.split("\n")) {
    if (/^\S.*\.o: #deps/.test(l)) {
      all += 1;
      current = false;
      continue;
    }
    const dep = l.trim();
    if (!current && dep && wanted.has(resolve(buildDir, dep))) {
      current = true;
      touched += 1;
    }
  }
  return { all, touched };
}

const uptime = (): string => `load average ${loadavg().map((x) => x.toFixed(2)).join(", ")}`;

async function main(): Promise<void> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  say(`bench:layer-cache — ${new Date().toISOString()}, ${uptime()} (before); CPU time: ${meter?.what ?? "not measured"}`);
  const env = new HostEnv(join(WORK, "logs", "source.log"));
  const pristine = await tarballSource(DEBIAN_LLVM_22_1_8, {
    env,
    progress: timedProgress("source", {}),
    cacheDir: CACHE,
    repoRoot: REPO,
    parts: "layer",
  });
  const copy = (name: string): LlvmSourceTree => {
    const root = join(WORK, name, "llvm-project");
    mkdirSync(join(WORK, name), { recursive: true });
    execFileSync("cp", ["-al", "--", pristine.root, root]);
    return { ...pristine, root };
  };
  say(`targets: ${TARGETS.join(" ")}`);
  say(`patch: ${PATCHED_SOURCES.length} sources (${PATCHED_SOURCES.join(", ")}) + header ${PATCHED_HEADER}`);
  const sccacheDir = join(WORK, "sccache");
  const a = copy("src-a");
  const cold = await run("cold", a, sccacheDir);
  // Before the CI-layout runs reuse cold's work folder: its translation units and their deps.
  const coldWork = layerWorkDirs(join(WORK, "cold"), "linux-x86_64");
  const tus = tusDependingOn(coldWork.build, coldWork.source, [...PATCHED_SOURCES, PATCHED_HEADER]);
  // The CI-layout pair starts from the cache as the cold run left it (not with run 2's new entries).
  const sccacheCi = join(WORK, "sccache-ci");
  execFileSync("cp", ["-a", "--", sccacheDir, sccacheCi]);
  const b = copy("src-b");
  applyDayOfCommits(b.root);
  const warm = await run("warm", b, sccacheDir);
  const same = await run("no-change", b, sccacheDir);
  // The next day's fresh runner: same paths, an empty build directory, another source tree.
  rmSync(coldWork.build, { recursive: true, force: true });
  const warmCi = await run("warm-ci", b, sccacheCi, "cold");
  rmSync(coldWork.build, { recursive: true, force: true });
  const sameCi = await run("no-change-ci", b, sccacheCi, "cold");
  const st = (r: Run) => r.layer.compilerCache ?? { hits: 0, misses: 0, hitRate: 0, directHits: 0 };
  const unchanged = tus.all - tus.touched;
  const hitUnchanged = (r: Run): number => (unchanged > 0 ? Math.min(st(r).hits, unchanged) / unchanged : 0);
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const times = (r: Run): string =>
    `${r.configureS.toFixed(0)} s / ${r.buildS.toFixed(0)} s / ${r.totalS.toFixed(0)} s (${st(r).hits} hits, ${st(r).directHits} direct; ${st(r).misses} misses)`;
  const edges = (r: Run): string =>
    `${r.edges.compile.toFixed(0)} (${r.edges.compiles}) / ${r.edges.tablegen.toFixed(0)} (${r.edges.tablegens}) / ${r.edges.link.toFixed(0)} / ${r.edges.other.toFixed(0)}`;
  const ratio = (r: Run): string => `${pct(r.totalS / cold.totalS)} (build only ${pct(r.buildS / cold.buildS)}${meter ? `; CPU ${pct(r.cpuS / cold.cpuS)}` : ""})`;
  const runs = [cold, warm, same, warmCi, sameCi];
  const rows: Array<[string, string]> = [
    ["translation units (cold build, ninja deps)", `${tus.all} (${tus.touched} include a patched file)`],
    ["cold: configure / build / total", times(cold)],
    ["warm (patched; other paths): configure / build / total", times(warm)],
    ["no change (other paths): configure / build / total", times(same)],
    ["warm, CI layout (patched; same paths, fresh build dir)", times(warmCi)],
    ["no change, CI layout", times(sameCi)],
    ["ninja edge seconds, compile (n) / tablegen (n) / link / other: cold · warm · no change · warm CI · no change CI", runs.map(edges).join(" · ")],
    ["CPU seconds, all processes of each phase: cold · warm · no change · warm CI · no change CI", meter ? `${runs.map((r) => r.cpuS.toFixed(0)).join(" · ")} (${meter.what})` : "not measured (no cgroup of its own)"],
    ["hit rate on unchanged TUs, warm · warm CI (target ≥ 90 %)", `${pct(hitUnchanged(warm))} · ${pct(hitUnchanged(warmCi))}`],
    ["warm / cold, total (target ≤ 15 %)", ratio(warm)],
    ["no change / cold, total (target ≤ 5 %)", ratio(same)],
    ["warm CI layout / cold, total (target ≤ 15 %)", ratio(warmCi)],
    ["no change CI layout / cold, total (target ≤ 5 %)", ratio(sameCi)],
  ];
  say("");
  say("| measure | value |");
  say("|---|---|");
  for (const [k, v] of rows) say(`| ${k} | ${v} |`);
  say("");
  say(`${uptime()} (after); sccache ${execFileSync(join(TOOLS, "bin", "sccache"), ["--version"]).toString().trim()}; full logs: ${join(WORK, "logs")}`);
  if (process.env["BENCH_KEEP"] !== "1") {
    for (const d of ["src-a", "src-b", "cold", "warm", "no-change", "sccache-ci"]) rmSync(join(WORK, d), { recursive: true, force: true });
  }
}

await main();
