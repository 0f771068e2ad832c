// npm run proof:source-release — the checks of issue 26 on the finished from-source 23.1.1 layer, in
// order, each a stage whose result is kept (<run>/stages/<stage>.json): a rerun skips the stages that
// already have one (--redo <stages|all> runs them again), --only/--skip choose stages, --dry-run prints
// the preflight and every command without running anything. Every command's output goes to
// <run>/source-release.log (the figures too); the figures are printed and written to <run>/figures.json.
//
//   preflight  (always) the layer of the planned key is installed and archived, the plan (one cp312-abi3
//              wheel verified on every CPython >= 3.12 asked for), the LLVM commit the manifest needs,
//              which opt-in interpreters exist (3.13t, the sid root's 3.14/3.15)
//   release    mlir-release build --source debian:23.1.1 --layer source --python <all> --no-tools-wheel into
//              <run>/release (wheels, native, dev, build-report.json, manifest.json): sizes, smoke/lit per
//              interpreter, abi3audit, the manifest's layer (kind, key, options). Without the tools wheel:
//              from this layer it is over the factory's 40 MB gate (48.2 MB), which stops a build there
//   tools      mlir-release tools-wheel from the layer with the limit raised to measure it: size against the
//              40 MB target (kept as a failing check while over), then installed alone into a fresh venv:
//              mlir-opt/mlir-translate/FileCheck run from PATH, every ELF file needs only the C/C++ runtime
//   restore    a second build's layer step with an empty cache holding only the source tarball and the
//              layer archive: restored, nothing configured or compiled (no ninja build folder)
//   rebuild    mlir-release rebuild <run>/release/manifest.json: EQUAL per artifact
//   bench      bench/wheels.ts on 23.1.1: all CPythons / one (target <= 1.5), native + abi3 + cp311 bytes (<= 75 MB)
//   downstream upstream's mlir/examples/standalone (the 23.1.1 tree's) built against the release's dev
//              distribution by `mlir-release downstream build --dist`; `guide` from the manifest
//   sid        containers/sid/chroot-smoke.sh: the abi3 wheel installed and smoke-tested inside the sid root (3.14, 3.15)
//
//   npm run proof:source-release -- [--dry-run] [--only a,b] [--skip a,b] [--redo a,b|all]
//        [--python 3.11,3.12,3.13] [--run <dir>] [--allow-layer-build]
// MLIR_RELEASE_CACHE (default ~/.cache/mlir-release, the layer job's), MLIR_RELEASE_TOOLS (default
// <cache>/tools), MLIR_RELEASE_SID_ROOT (default <cache>/sid-root when prepared), MLIR_RELEASE_PYTHON_3_13T
// (default <repo>/.cache/python3.13t when built by MLIR_RELEASE_FREE_THREADED=1 ci/setup.sh).
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildSettings } from "../test/support/build-settings.js";
import { shellLine } from "../src/exec/env.js";
import { HostEnv } from "../src/exec/host.js";
import { planBuild, plannedInputs, resolveLayer, resolveSource, type BuildSettings } from "../src/factory/factory.js";
import { verificationKey } from "../src/factory/steps/verify.js";
import { layerArchiveName } from "../src/layer/artifact.js";
import { LAYER_STAMP } from "../src/layer/layer.js";
import { isSidPython, SID_ROOT_VARIABLE } from "../src/platforms/sid-python.js";
import { overrideVariable, parsePython } from "../src/platforms/tags.js";
import { ConsoleProgress } from "../src/progress.js";
import { BuildReport } from "../src/schema/build-report.js";
import { ReleaseManifest } from "../src/schema/manifest.js";

const REPO = resolve(new URL("..", import.meta.url).pathname);
const SOURCE = "debian:23.1.1";
const STAGES = ["release", "tools", "restore", "rebuild", "bench", "downstream", "sid"] as const;
type StageName = (typeof STAGES)[number];
const TARGET = { ratio: 1.5, releaseMB: 75, toolsMB: 40, toolsMaxMB: 80 };

const { values: flags } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    only: { type: "string" },
    skip: { type: "string" },
    redo: { type: "string" },
    python: { type: "string", default: "3.11,3.12,3.13" },
    run: { type: "string" },
    "allow-layer-build": { type: "boolean", default: false },
  },
});
const list = (s: string | undefined): string[] => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : []);
for (const s of [...list(flags.only), ...list(flags.skip), ...list(flags.redo).filter((x) => x !== "all")]) {
  if (!(STAGES as readonly string[]).includes(s)) {
    process.stderr.write(`error: unknown stage '${s}' in --only/--skip/--redo: stages are ${STAGES.join(", ")}\n`);
    process.exit(2);
  }
}

// The layer job's cache and tools (ci/layer-job.sh): the layer of the planned key is there.
const cache = resolve(process.env["MLIR_RELEASE_CACHE"] ?? join(homedir(), ".cache", "mlir-release"));
const tools = resolve(process.env["MLIR_RELEASE_TOOLS"] ?? join(cache, "tools"));
const sidRoot = process.env[SID_ROOT_VARIABLE] ?? join(cache, "sid-root");
const sidReady = existsSync(join(sidRoot, ".mlir-release-sid-root"));
// An unprepared root named in the environment would make every plan refuse: left out, and said so by preflight.
if (!sidReady) delete process.env[SID_ROOT_VARIABLE];
const py313t = process.env[overrideVariable("3.13t")] ?? join(REPO, ".cache", "python3.13t", "bin", "python3.13t");
const ftReady = existsSync(py313t);
// What every child and this process's planning see (the platform module reads the sid root from it).
const childEnv: Record<string, string> = {
  MLIR_RELEASE_CACHE: cache,
  MLIR_RELEASE_TOOLS: tools,
  ...(sidReady ? { [SID_ROOT_VARIABLE]: sidRoot } : {}),
  ...(ftReady ? { [overrideVariable("3.13t")]: py313t } : {}),
};
Object.assign(process.env, childEnv);

const pythons = [...new Set([...list(flags.python), ...(ftReady ? ["3.13t"] : []), ...(sidReady ? ["3.14", "3.15"] : [])])];
const runDir = resolve(flags.run ?? join(cache, "source-release"));
const releaseDir = join(runDir, "release");
const work = join(cache, "work"); // the layer job's: its bindings build folder (the C API library) is reused
const logFile = join(runDir, "source-release.log");
const host = new HostEnv(logFile);
const dryRun = flags["dry-run"];

function say(line = ""): void {
  process.stdout.write(`${line}\n`);
  if (!dryRun) {
    mkdirSync(runDir, { recursive: true });
    appendFileSync(logFile, `# ${line}\n`);
  }
}

const settingsFor = (over: { cache?: string; out?: string; python?: string } = {}): BuildSettings =>
  buildSettings({ source: SOURCE, layer: "source", python: over.python ?? pythons.join(","), out: over.out ?? releaseDir, work, cache: over.cache ?? cache, verify: true, lit: true, dev: true });

const cli = (...args: string[]): string[] => [process.execPath, join(REPO, "bin", "mlir-release.mjs"), ...args];

/** Runs argv (echoing its output), or prints it under --dry-run; the exit code and captured stdout. */
async function run(argv: string[], capture = false): Promise<{ exitCode: number; stdout: string }> {
  say(`$ ${shellLine(argv)}`);
  if (dryRun) return { exitCode: 0, stdout: "" };
  try {
    const r = await host.run(argv, { env: childEnv, capture, onLine: (l) => process.stdout.write(`  | ${l}\n`) });
    return { exitCode: r.exitCode, stdout: r.stdout };
  } catch (e) {
    const err = e as { exitCode?: number; message: string };
    say(`  command failed (exit ${err.exitCode ?? "?"}): see ${logFile}`);
    return { exitCode: err.exitCode ?? 1, stdout: "" };
  }
}

interface Check {
  what: string;
  ok: boolean;
  detail?: string;
}
type Figures = Record<string, unknown> & { checks: Check[] };
const check = (what: string, ok: boolean, detail?: string): Check => ({ what, ok, ...(detail ? { detail } : {}) });
const MB = (b: number): number => Math.round(b / 1e4) / 100;
const readJson = (p: string): unknown => JSON.parse(readFileSync(p, "utf8"));
/** A command's JSON answer on stdout, or undefined when it printed none (a failed run). */
const lastJson = (stdout: string): unknown => {
  try {
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  } catch {
    return undefined;
  }
};

/** The installed layer of the planned key, its archive in the local store, and what the plan builds. */
function preflight(): Figures {
  const s = settingsFor();
  const planned = plannedInputs(s);
  const key = planned.layerKey!;
  const stamp = join(planned.layerPrefix, LAYER_STAMP);
  const archive = join(cache, "layer-artifacts", layerArchiveName(key));
  const plan = planBuild(s);
  const abi3 = plan.builds.filter((b) => b.abi === "abi3");
  const wantOn = pythons.filter((p) => !parsePython(p).freeThreaded && parsePython(p).minor >= 12);
  say(`cache ${cache}, tools ${tools}, run folder ${runDir}`);
  say(`Pythons: ${pythons.join(", ")} (3.13t: ${ftReady ? py313t : "none: MLIR_RELEASE_FREE_THREADED=1 bash ci/setup.sh builds it"}; 3.14/3.15: ${sidReady ? sidRoot : "no prepared sid root"})`);
  say(`layer ${key}: ${existsSync(stamp) ? "installed" : "NOT installed"} (${planned.layerPrefix}); archive ${existsSync(archive) ? "present" : "missing"} (${archive})`);
  say(`plan: ${plan.abi.variant}: ${plan.abi.reason}`);
  for (const b of plan.builds) say(`  ${b.wheel}  built with ${b.python}, verified on ${b.verifiedOn.map((x) => x.python).join(" ")}`);
  if (plan.native) say(`  ${plan.native.wheel}  (native)`);
  for (const sk of plan.abi.skipped) say(`  not built: ${sk.python}: ${sk.reason}`);
  const commit = s.release.llvmCommit;
  return {
    key,
    layerPrefix: planned.layerPrefix,
    // The host's CPython 3.12 as the plan finds it (pyenv's shims answer only for the global version).
    host312: plan.builds.flatMap((b) => b.verifiedOn).find((v) => v.python === "3.12")?.interpreter ?? "python3.12",
    wheels: plan.builds.map((b) => ({ wheel: b.wheel, verifiedOn: b.verifiedOn.map((x) => x.python) })),
    checks: [
      check("the layer of the planned key is installed", existsSync(stamp), stamp),
      check("its archive is in the local layer store (for restore)", existsSync(archive), archive),
      check("one cp312-abi3 wheel", abi3.length === 1 && abi3[0]!.wheel.includes("-cp312-abi3-"), abi3.map((b) => b.wheel).join(", ")),
      check("the abi3 wheel is verified on every CPython >= 3.12 asked for", wantOn.every((p) => abi3[0]?.verifiedOn.some((x) => x.python === p)), wantOn.join(" ")),
      check(
        "an LLVM commit for the manifest (ReleasePlan.llvm.commit is a 40-hex commit)",
        !!commit && /^[0-9a-f]{40}$/.test(commit),
        commit ?? `none for ${SOURCE}: build would write the wheels, then fail at manifest.json (record llvmorg-23.1.1's commit as LLVM_22_1_8_TAG is, or pass --plan)`,
      ),
    ],
  };
}

/** Stage release: the full build and what its report and manifest say. */
async function release(): Promise<Figures> {
  const r = await run(cli("build", "--source", SOURCE, "--layer", "source", "--python", pythons.join(","), "--no-tools-wheel", "--out", releaseDir, "--work", work));
  if (dryRun) return { checks: [] };
  const reportPath = join(releaseDir, "build-report.json");
  if (!existsSync(reportPath)) return { exitCode: r.exitCode, checks: [check("build-report.json written", false, reportPath)] };
  const report = BuildReport.parse(readJson(reportPath));
  const manifestPath = join(releaseDir, "manifest.json");
  const manifest = existsSync(manifestPath) ? ReleaseManifest.parse(readJson(manifestPath)) : undefined;
  const abi3 = report.wheels.filter((w) => w.fileName.includes("-abi3-"));
  const verification = Object.entries(report.verification).map(([k, v]) => ({
    key: k,
    python: v.python,
    smoke: v.smoke["jit"] === 42 ? "ok" : "FAILED",
    lit: v.lit ? `${v.lit.passed}/${v.lit.failed}/${v.lit.unsupported}` : "-",
    abi3audit: v.abi3audit ? `${v.abi3audit.scanned} scanned, ${v.abi3audit.violations.length} violations` : "-",
  }));
  const artifacts = [...report.wheels, ...(report.native ? [report.native] : []), ...(report.tools ? [report.tools] : []), ...report.dev].map((a) => ({ file: a.fileName, MB: MB(a.size) }));
  const layer = manifest?.provenance.layer ?? {};
  const wantOn = pythons.filter((p) => !parsePython(p).freeThreaded && parsePython(p).minor >= 12);
  return {
    exitCode: r.exitCode,
    seconds: report.seconds,
    artifacts,
    verification,
    layer,
    checks: [
      check("build exited 0", r.exitCode === 0),
      check("one cp312-abi3 wheel", abi3.length === 1 && abi3[0]!.fileName.includes("-cp312-abi3-"), abi3.map((w) => w.fileName).join(", ")),
      ...wantOn.map((p) => {
        const v = abi3[0] ? report.verification[verificationKey(abi3[0].fileName, p, abi3[0].python)] : undefined;
        return check(`abi3 wheel on ${p}: smoke and lit`, v?.smoke["jit"] === 42 && !!v.lit, v?.lit ? `lit ${v.lit.passed} passed, ${v.lit.failed} failed` : "no record");
      }),
      check("abi3audit clean", abi3.every((w) => report.verification[w.fileName]?.abi3audit?.violations.length === 0)),
      check("native wheel, dev distribution", !!report.native && report.dev.length > 0),
      check("manifest.json with layer kind source and the planned key", layer["kind"] === "source" && layer["key"] === pre["key"], JSON.stringify(layer)),
      check("the manifest records the layer's CMake options", Object.keys(manifest?.plan.layer.cmakeOptions ?? {}).length > 0),
    ],
  };
}

/** Stage tools: the tools wheel of this layer, measured against the 40 MB target and used the way a user would. */
async function toolsStage(): Promise<Figures> {
  const planned = plannedInputs(settingsFor());
  const out = join(runDir, "tools");
  const venv = join(runDir, "tools-venv");
  if (!dryRun) rmSync(out, { recursive: true, force: true }); // tools-wheel refuses a folder that holds one already
  const made = await run(cli("tools-wheel", "--prefix", planned.layerPrefix, "--version", "23.1.1", "--out", out, "--max-mb", String(TARGET.toolsMaxMB)), true);
  const wheel = (lastJson(made.stdout) as { wheel?: string; bytes?: number; linkSeconds?: number } | undefined) ?? {};
  const py = join(venv, "bin", "python");
  const use = [
    await run([String(pre.host312), "-m", "venv", "--clear", venv], true),
    await run([py, "-m", "pip", "install", "--no-index", "--no-deps", wheel.wheel ?? join(out, "<the tools wheel>")], true),
    await run(["bash", join(REPO, "containers", "verify", "tools-wheel-use.sh"), join(venv, "bin")], true),
  ];
  if (dryRun) return { checks: [] };
  const use3 = use[2]!;
  return {
    wheel: wheel.wheel,
    MB: wheel.bytes === undefined ? undefined : MB(wheel.bytes),
    linkSeconds: wheel.linkSeconds,
    use: use3.stdout.trim().split("\n").slice(-3),
    checks: [
      check("tools wheel built from the layer", made.exitCode === 0 && !!wheel.wheel),
      check(`tools wheel <= ${TARGET.toolsMB} MB (issue 29's limit; the factory's gate)`, wheel.bytes !== undefined && wheel.bytes <= TARGET.toolsMB * 1e6, wheel.bytes === undefined ? "none" : `${MB(wheel.bytes)} MB`),
      check("installed alone: the tools run from PATH, only the C/C++ runtime needed", use.every((u) => u.exitCode === 0), use3.stdout.trim().split("\n").pop()),
    ],
  };
}

/** Stage restore: the layer step of a second build, on an empty cache with only the tarball and the layer archive. */
async function restore(): Promise<Figures> {
  const fresh = join(runDir, "restore-cache");
  const s = settingsFor({ cache: fresh, out: join(runDir, "restore-out"), python: "3.12" });
  const key = plannedInputs(s).layerKey!;
  const archive = layerArchiveName(key);
  const tarball = s.source.kind === "tarball" ? s.source.ref.file : "";
  const links: Array<[string, string]> = [
    [join(cache, "sources", tarball), join(fresh, "sources", tarball)],
    [join(cache, "layer-artifacts", archive), join(fresh, "layer-artifacts", archive)],
    [join(cache, "layer-artifacts", `${archive}.json`), join(fresh, "layer-artifacts", `${archive}.json`)],
  ];
  for (const [from, to] of links) say(`link ${from} → ${to}`);
  say(`layer step of a build with --cache ${fresh} (source ${SOURCE}, layer source, key ${key})`);
  if (dryRun) return { checks: [] };
  // The stage's own folders, from an earlier run of it (--redo): the cache must hold nothing else.
  for (const own of [fresh, join(runDir, "restore-out")]) rmSync(own, { recursive: true, force: true });
  for (const [from, to] of links) {
    mkdirSync(dirname(to), { recursive: true });
    linkSync(from, to);
  }
  const t0 = Date.now();
  const progress = new ConsoleProgress();
  const tree = await resolveSource(s, host, progress);
  const t1 = Date.now();
  const layer = await resolveLayer(s, tree, host, progress);
  const seconds = { source: (t1 - t0) / 1000, layer: (Date.now() - t1) / 1000 };
  const buildDir = join(fresh, "layers", ".work");
  const count = (dir: string): { files: number; bytes: number } => {
    let files = 0;
    let bytes = 0;
    for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue;
      files += 1;
      bytes += statSync(join(e.parentPath, e.name)).size;
    }
    return { files, bytes };
  };
  const restored = count(layer.prefix);
  const original = count(join(cache, "layers", key, "install"));
  return {
    key,
    seconds,
    restored,
    original,
    checks: [
      check("the layer came from the archive", (layer as { origin?: string }).origin === "archive", (layer as { origin?: string }).origin),
      check("nothing configured or compiled (no layer build folder, 0 ninja edges)", !existsSync(buildDir), buildDir),
      check("the restored install equals the built one (files, bytes)", restored.files === original.files && restored.bytes === original.bytes, `${restored.files} files, ${MB(restored.bytes)} MB`),
    ],
  };
}

/** Stage rebuild: replay the manifest, every artifact EQUAL. */
async function rebuild(): Promise<Figures> {
  if (!dryRun) rmSync(join(runDir, "rebuild"), { recursive: true, force: true }); // an earlier run's (--redo): fresh folders
  const r = await run(cli("rebuild", join(releaseDir, "manifest.json"), "--out", join(runDir, "rebuild", "out"), "--work", join(runDir, "rebuild", "work")), true);
  if (dryRun) return { checks: [] };
  const out = lastJson(r.stdout) as { allEqual: boolean; artifacts: Array<{ fileName: string; result: string }> } | undefined;
  return {
    artifacts: out?.artifacts.map((a) => ({ file: a.fileName, result: a.result })),
    checks: [check("rebuild: every artifact EQUAL", !!out?.allEqual, out ? undefined : "no report (see the log)")],
  };
}

/** Stage bench: bench/wheels.ts on 23.1.1 with the release's CPythons (not the sid root's). */
async function bench(): Promise<Figures> {
  const own = pythons.filter((p) => !isSidPython(p));
  const r = await run([join(REPO, "node_modules", ".bin", "tsx"), join(REPO, "bench", "wheels.ts"), "--python", own.join(","), "--source", SOURCE, "--layer", "source"], true);
  if (dryRun) return { checks: [] };
  const m = /all (\d+) versions: ([\d.]+)s\s+one version: ([\d.]+)s\s+ratio: ([\d.]+)/.exec(r.stdout);
  const b = /bytes per (\d+)-Python release: ([\d.]+) MB/.exec(r.stdout);
  const ratio = m ? Number(m[4]) : undefined;
  const bytesMB = b ? Number(b[2]) : undefined;
  return {
    pythons: own,
    allSeconds: m ? Number(m[2]) : undefined,
    oneSeconds: m ? Number(m[3]) : undefined,
    ratio,
    releaseMB: bytesMB,
    checks: [
      check(`all CPythons / one <= ${TARGET.ratio}`, ratio !== undefined && ratio <= TARGET.ratio, String(ratio)),
      check(`native + wheels <= ${TARGET.releaseMB} MB`, bytesMB !== undefined && bytesMB <= TARGET.releaseMB, `${bytesMB} MB`),
    ],
  };
}

/** Stage downstream: upstream's standalone example against the release's dev distribution, and the guide. */
async function downstream(): Promise<Figures> {
  const project = join(plannedInputs(settingsFor()).sourceRoot, "mlir", "examples", "standalone");
  const out = join(runDir, "downstream");
  const args = ["downstream", "build", "--project", project, "--dist", releaseDir, "--python", "3.12", "--out", out, "--work", join(runDir, "downstream-work")];
  const r = await run(cli(...args, "--check-script", join(REPO, "containers", "verify", "downstream_in_process.py")), true);
  const guide = await run(cli("guide", join(releaseDir, "manifest.json")), true);
  if (dryRun) return { checks: [] };
  writeFileSync(join(runDir, "downstream-guide.md"), guide.stdout);
  const dm = join(out, "downstream-manifest.json");
  return {
    manifest: existsSync(dm) ? dm : undefined,
    result: lastJson(r.stdout),
    checks: [check("the standalone example built, installed and tested against the dev distribution", r.exitCode === 0 && existsSync(dm)), check("guide written", guide.exitCode === 0)],
  };
}

/** Stage sid: the abi3 wheel installed inside the sid root and smoke-tested there (3.14, 3.15). */
async function sid(): Promise<Figures> {
  if (!sidReady) return { skipped: `no prepared sid root at ${sidRoot} (MLIR_RELEASE_SID=1 bash ci/setup.sh)`, checks: [] };
  const files = existsSync(releaseDir) ? readdirSync(releaseDir) : [];
  const abi3 = files.find((f) => f.includes("-cp312-abi3-")) ?? "<the cp312-abi3 wheel>";
  const native = files.find((f) => f.includes("_native-")) ?? "<the native wheel>";
  const checks: Check[] = [];
  const smoke: Record<string, unknown> = {};
  for (const v of ["3.14", "3.15"]) {
    const r = await run(["bash", join(REPO, "containers", "sid", "chroot-smoke.sh"), sidRoot, v, join(releaseDir, abi3), join(releaseDir, native)], true);
    if (dryRun) continue;
    const last = r.stdout.trim().split("\n").pop() ?? "";
    smoke[v] = last.startsWith("{") ? JSON.parse(last) : last;
    checks.push(check(`abi3 wheel in the sid root's CPython ${v}: smoke`, r.exitCode === 0 && (smoke[v] as { jit?: number }).jit === 42, last));
  }
  return { smoke, checks };
}

const STAGE_RUN: Record<StageName, () => Promise<Figures>> = { release, tools: toolsStage, restore, rebuild, bench, downstream, sid };

say(`source-release ${new Date().toISOString()}${dryRun ? " (dry run: nothing runs)" : ""}`);
const pre = preflight();
const layerMissing = !pre.checks[0]!.ok;
for (const c of pre.checks) say(`  ${c.ok ? "ok  " : "FAIL"} ${c.what}${c.detail ? ` — ${c.detail}` : ""}`);
const chosen = STAGES.filter((s) => (!flags.only || list(flags.only).includes(s)) && !list(flags.skip).includes(s));
const redo = list(flags.redo);
const figures: Record<string, unknown> = { preflight: pre };
if (layerMissing && !flags["allow-layer-build"] && !dryRun && chosen.some((s) => s !== "sid")) {
  say("refusing: the layer is not built yet (this runbook never builds LLVM unless --allow-layer-build); see ci/layer-job.sh status");
  process.exit(2);
}
for (const name of chosen) {
  const result = join(runDir, "stages", `${name}.json`);
  say(`\n== ${name}`);
  const kept = existsSync(result) ? (readJson(result) as Figures) : undefined;
  // A stage that passed is kept; one that failed runs again.
  if (kept && kept.checks.every((c) => c.ok) && !redo.includes(name) && !redo.includes("all")) {
    figures[name] = kept;
    say(`  kept from an earlier run (${result}; --redo ${name} runs it again)`);
  } else {
    const t0 = Date.now();
    const f = await STAGE_RUN[name]();
    f["wallSeconds"] = Math.round((Date.now() - t0) / 100) / 10;
    figures[name] = f;
    if (!dryRun) {
      mkdirSync(dirname(result), { recursive: true });
      writeFileSync(result, `${JSON.stringify(f, null, 2)}\n`);
    }
  }
  const f = figures[name] as Figures;
  for (const [k, v] of Object.entries(f)) if (k !== "checks") say(`  ${k}: ${JSON.stringify(v)}`);
  for (const c of f.checks) say(`  ${c.ok ? "ok  " : "FAIL"} ${c.what}${c.detail ? ` — ${c.detail}` : ""}`);
}
if (!dryRun) writeFileSync(join(runDir, "figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
const failed = Object.values(figures).flatMap((f) => (f as Figures).checks.filter((c) => !c.ok).map((c) => c.what));
say(`\n${failed.length ? `${failed.length} check(s) failed: ${failed.join("; ")}` : "every check passed"}${dryRun ? " (dry run: preflight only)" : ""}; log ${logFile}`);
process.exitCode = failed.length ? 3 : 0;
