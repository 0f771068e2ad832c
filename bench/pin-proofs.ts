// Issue 18's real-wheel proofs, repeatable (not part of npm test: they build and test real wheels):
//
//   npm run proof:pins -- --dist <a build's output folder: manifest.json + its wheels> [--part promote|restore|all] [--no-lit]
//
// promote: the release in --dist (e.g. a 22.1.8 build) is promoted to <version>.post1 (copied, never
//   modified): the promoted wheel is verified like a build (fresh venv, smoke test, upstream lit),
//   every compiled member (.so) is byte-identical (sha256 of each member), only metadata changed, and
//   METADATA / mlir._release_info say the new version after a pip install.
// restore: the same LLVM inputs are built for real as a snapshot (<llvm>.dev2026061000) into a local
//   index served on 127.0.0.1, pruned by retention at 2026-12-01 (policy allDays 30, weeklyDays 0,
//   monthly false), `pip install ==<v>` sees only the yanked entry, `restore` rebuilds it from its
//   manifest in a fresh work dir (the wheel factory, no shortcut), the sha256 must be identical,
//   and pip installs it again and imports mlir.
// Every figure is printed and written to test-output/pin-proofs/<part>/report.json; full logs next to it.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { unzipSync } from "fflate";
import { findPython } from "../src/platforms/pythons.js";
import { HostEnv } from "../src/exec/host.js";
import { REPO_ROOT, resolveOptions } from "../src/options/resolve-options.js";
import { buildWheels } from "../src/factory/factory.js";
import { manifestFromBuild, writeManifest } from "../src/plan/manifest.js";
import { snapshotVersion } from "../src/plan/version.js";
import { ConsoleProgress } from "../src/progress.js";
import { restore } from "../src/publish/restore.js";
import { prune } from "../src/publish/retention.js";
import { zipMembers } from "../src/rebuild/archive-diff.js";
import { buildProvenance } from "../src/rebuild/build-manifest.js";
import { promoteRelease, verifyPromoted } from "../src/rebuild/promote.js";
import { rebuild, recordedRequirements, settingsFromManifest } from "../src/rebuild/rebuild.js";
import { ReleaseManifest } from "../src/schema/manifest.js";
import { parseOrExplain } from "../src/schema/parse.js";
import { ReleaseVersionText, PlainFileName } from "../src/schema/strings.js";
import { addRelease, indexPaths, listPruned } from "../src/site/store.js";
import { loadStage, readManifestFile, writeStage } from "../src/stage/stage.js";
import { sha256Hex } from "../src/util/hash.js";
import { existingDir } from "../src/util/paths.js";
import { freshVenv, serveStatic } from "../test/support/servers.js";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const distFlag = arg("--dist") ?? process.env["MLIR_RELEASE_PROOF_DIST"];
if (!distFlag) {
  process.stderr.write("error: --dist <dir>: give a build's output folder holding manifest.json and its wheels (e.g. from `mlir-release build --python 3.12 --no-dev --out <dir>`)\n");
  process.exit(2);
}
const part = arg("--part") ?? "all";
if (!["promote", "restore", "all"].includes(part)) {
  process.stderr.write(`error: --part '${part}': expected promote, restore or all\n`);
  process.exit(2);
}
const lit = !process.argv.includes("--no-lit");
const dist = existingDir(distFlag, "--dist");
const earlier = readManifestFile(join(dist, "manifest.json"));
for (const a of earlier.artifacts) parseOrExplain(PlainFileName, a.fileName, "manifest artifact name");

const OUT = join(REPO_ROOT, "test-output", "pin-proofs", part);
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const options = resolveOptions();
const cache = options.cacheDir;
mkdirSync(join(cache, "pin-proofs"), { recursive: true });
const scratch = mkdtempSync(join(cache, "pin-proofs", "run-"));
const report: Record<string, unknown> = { dist: earlier.plan.version, started: new Date().toISOString() };
const say = (line: string): void => {
  process.stdout.write(`[proof] ${line}\n`);
};
const pipEnv = { PIP_CONFIG_FILE: "/dev/null", PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_CACHE_DIR: "1" };
const progress = new ConsoleProgress();
const host = "linux-x86_64" as const;
const dirs = (name: string) => ({ repoRoot: REPO_ROOT, cacheDir: cache, workDir: join(scratch, name, "work"), outDir: join(scratch, name, "out"), toolsDir: options.toolsDir });

/** sha256 of every member, from the archive itself. */
const memberDigests = (path: string): Map<string, string> => new Map(Object.entries(unzipSync(readFileSync(path))).map(([n, d]) => [n, sha256Hex(d)]));

async function provePromotion(): Promise<void> {
  const t0 = Date.now();
  const from = join(scratch, "promote-from");
  mkdirSync(from, { recursive: true });
  for (const a of earlier.artifacts.filter((x) => x.kind === "wheel" || x.kind === "native-wheel")) copyFileSync(join(dist, a.fileName), join(from, a.fileName));
  const version = parseOrExplain(ReleaseVersionText, arg("--version") ?? `${earlier.plan.version}.post1`, "--version");
  const d = dirs("promote");
  mkdirSync(d.outDir, { recursive: true });
  const r = await promoteRelease({ earlier, artifactsDir: from, version, ...(earlier.plan.llvm.tag ? { tag: earlier.plan.llvm.tag } : {}), outDir: d.outDir });
  const env = new HostEnv(join(OUT, "promote.log"));
  const manifest = await verifyPromoted(r, { ...d, lit }, env, progress, host);
  writeManifest(d.outDir, manifest);
  const wheels = [];
  for (const w of r.wheels) {
    const before = memberDigests(join(from, w.from));
    const after = memberDigests(w.path);
    const dist = w.from.split("-")[0]!;
    const rename = (n: string): string => n.replace(`${dist}-${earlier.plan.version}.`, `${dist}-${version}.`);
    const compiled = [...before.keys()].filter((n) => /\.so(\.\d+)*$/.test(n));
    const compiledEqual = compiled.filter((n) => after.get(n) === before.get(n)).length;
    const otherChanged = [...before.keys()].filter((n) => !compiled.includes(n) && after.get(rename(n)) !== before.get(n));
    const metadata = Buffer.from(unzipSync(readFileSync(w.path))[`${dist}-${version}.dist-info/METADATA`]!).toString("utf8");
    const metaVersion = /^Version: (.*)$/m.exec(metadata)?.[1];
    // auditwheel's SBOM must name the new wheel, not the old one.
    const promotedFiles = unzipSync(readFileSync(w.path));
    const sboms = Object.keys(promotedFiles).filter((n) => /\.dist-info\/sboms\/.+\.json$/.test(n));
    const staleSboms = sboms.filter((n) => Buffer.from(promotedFiles[n]!).toString("utf8").includes(`?file_name=${w.from}`));
    // zip-level view of the same (archive-diff's reader): member count and compiled members' CRCs.
    const zb = await zipMembers(join(from, w.from));
    const za = await zipMembers(w.path);
    const crcEqual = zb.filter((m) => compiled.includes(m.name)).every((m) => za.find((x) => x.name === m.name)?.content === m.content);
    // pip install into a fresh venv of the wheel's Python and ask the installed package.
    // The split: the native wheel is installed with each per-Python wheel (its ==pin), not on its own.
    const isNative = manifest.artifacts.find((a) => a.fileName === w.fileName)?.kind === "native-wheel";
    const nativePath = r.wheels.find((x) => manifest.artifacts.find((a) => a.fileName === x.fileName)?.kind === "native-wheel")?.path;
    const py = manifest.artifacts.find((a) => a.fileName === w.fileName)?.python ?? "3.12";
    let installed = "(the native wheel: installed with each per-Python wheel)";
    if (!isNative) {
      const venv = await freshVenv(join(scratch, `promote-venv-${py}`), (await findPython(new HostEnv(join(OUT, "python.log")), py)).executable);
      await execa(venv.py, ["-m", "pip", "install", "-q", w.path, ...(nativePath ? [nativePath] : [])], { env: pipEnv });
      installed = (await execa(venv.py, ["-c", "import importlib.metadata as md, mlir._release_info as r, mlir.ir as ir; ctx=ir.Context(); m=ir.Module.parse('func.func @f() { return }', ctx); print(md.version('mlir-python-bindings'), r.VERSION, len(m.body.operations))"])).stdout.trim();
    }
    const v = manifest.verification[w.fileName] as { smoke?: unknown; lit?: unknown } | undefined;
    const row = {
      from: w.from,
      to: w.fileName,
      sha256: w.sha256,
      size: w.size,
      members: before.size,
      compiledMembers: compiled.length,
      compiledByteIdentical: compiledEqual,
      compiledCrcEqual: crcEqual,
      zipMembersBefore: zb.length,
      zipMembersAfter: za.length,
      changed: w.changed,
      otherContentChanged: otherChanged,
      metadataVersion: metaVersion,
      sboms,
      staleSboms,
      installed,
      smoke: v?.smoke,
      lit: v?.lit,
    };
    wheels.push(row);
    say(`promote ${w.from} → ${w.fileName}: ${compiledEqual}/${compiled.length} compiled members byte-identical, changed: ${w.changed.join(", ")}`);
    say(`promote METADATA Version: ${metaVersion}; after pip install: version, _release_info.VERSION, ops = ${installed}`);
    say(`promote verification: smoke ${JSON.stringify(v?.smoke)}; lit ${JSON.stringify(v?.lit)}`);
    say(`promote SBOMs: ${sboms.length}, still naming the old wheel: ${staleSboms.length}`);
    if (staleSboms.length || compiledEqual !== compiled.length || !crcEqual || metaVersion !== version || (!isNative && !installed.startsWith(`${version} ${version} `))) throw new Error(`promotion proof failed for ${w.fileName}`);
  }
  report["promote"] = { version, seconds: Math.round((Date.now() - t0) / 1000), wheels, promotedFrom: manifest.promotedFrom?.version };
}

async function proveRestore(): Promise<void> {
  const t0 = Date.now();
  // The same inputs as the given build, as a snapshot (retention prunes snapshots only).
  const day = "2026-06-10";
  const version = snapshotVersion(earlier.plan.llvm.version, { date: day, sequence: 0 });
  const { tag: _tag, ...llvm } = earlier.plan.llvm;
  const seed = ReleaseManifest.parse({
    ...earlier,
    plan: { ...earlier.plan, kind: "snapshot", version, llvm, selection: { source: "pin proofs: the inputs of " + earlier.plan.version, ref: earlier.plan.llvm.tag ?? earlier.plan.llvm.commit, cutoff: `${day}T23:59:59Z`, snapshotDate: day, sequence: 0 } },
    artifacts: [],
    verification: {},
    yanked: {},
  });
  delete (seed as { promotedFrom?: unknown }).promotedFrom;
  const d = dirs("snapshot-build");
  mkdirSync(d.outDir, { recursive: true });
  say(`building snapshot ${version} for real (wheel factory, ${seed.plan.matrix.map((m) => m.python).join(", ")}, no dev distribution)`);
  const s = { ...settingsFromManifest(seed, host, d), ...recordedRequirements(seed, d.workDir), dev: false };
  const built = await buildWheels(s, new HostEnv(join(OUT, "snapshot-build.log")), progress);
  const m = manifestFromBuild(seed.plan, built, buildProvenance(s));
  writeManifest(d.outDir, m);
  const tBuild = Math.round((Date.now() - t0) / 1000);
  const shaBefore = Object.fromEntries(m.artifacts.map((a) => [a.fileName, a.sha256]));
  say(`built ${m.artifacts.map((a) => `${a.fileName} (${a.size} bytes, sha256 ${a.sha256})`).join(", ")} in ${tBuild} s`);

  const root = join(scratch, "index");
  const stageDir = join(scratch, "stage");
  await writeStage({ manifests: [m], artifactsDir: d.outDir, outDir: stageDir });
  await addRelease(root, await loadStage(stageDir));
  const server = await serveStatic(indexPaths(root).site);
  try {
    const venv = await freshVenv(join(scratch, "restore-venv"), (await findPython(new HostEnv(join(OUT, "python.log")), m.plan.matrix[0]?.python ?? "3.12")).executable);
    const pip = (spec: string) =>
      execa(venv.py, ["-m", "pip", "install", "--no-deps", "--force-reinstall", "--index-url", `${server.url}/simple/`, spec], { env: pipEnv, all: true, reject: false });
    const spec = `${m.plan.distribution}==${version}`;
    const first = await pip(spec);
    say(`published: pip install ${spec} → exit ${first.exitCode}`);
    const pruned = await prune({ indexRoot: root, policy: { allDays: 30, weeklyDays: 0, monthly: false }, now: new Date("2026-12-01T00:00:00Z"), apply: true, log: (l) => say(l) });
    say(`pruned: ${pruned.prune.map((p) => `${p.version} (${p.why})`).join(", ")}; index lists pruned: ${listPruned(root).map((p) => p.version).join(", ")}`);
    const page = await (await fetch(`${server.url}/simple/${m.plan.distribution}/`)).text();
    const yankedLinks = [...page.matchAll(/<a [^>]*data-yanked="([^"]*)"[^>]*>([^<]+)<\/a>/g)].map((x) => ({ file: x[2], reason: x[1] }));
    const allLinks = [...page.matchAll(/<a [^>]*>([^<]+)<\/a>/g)].length;
    const afterPrune = await pip(spec);
    const yankLine = (afterPrune.all ?? "").split("\n").find((l) => /yanked/i.test(l))?.trim();
    say(`after prune: the index lists ${allLinks} file(s), ${yankedLinks.length} yanked (${yankedLinks.map((y) => `${y.file}: ${y.reason}`).join("; ")})`);
    say(`after prune: pip install ${spec} → exit ${afterPrune.exitCode}; pip said: ${yankLine}`);
    const t1 = Date.now();
    const rd = dirs("restore");
    const r = await restore({
      indexRoot: root,
      version,
      outDir: rd.outDir,
      rebuild: async (path, _m, outDir) => {
        const rep = await rebuild(path, { ...rd, outDir }, new HostEnv(join(OUT, "restore-rebuild.log")), progress, [host]);
        for (const a of rep.artifacts) say(`rebuild ${a.result.toUpperCase()} ${a.fileName}${a.firstDifference ? ` first difference: ${a.firstDifference}` : ""}`);
      },
      log: (l) => say(l),
    });
    const tRestore = Math.round((Date.now() - t1) / 1000);
    const identical = r.artifacts.every((a) => a.equal && a.sha256 === shaBefore[a.fileName]);
    say(`restore: ${r.artifacts.map((a) => `${a.fileName} sha256 ${a.sha256} ${a.equal ? "EQUAL" : "DIFFERENT"}`).join(", ")} in ${tRestore} s`);
    const pageAfter = await (await fetch(`${server.url}/simple/${m.plan.distribution}/`)).text();
    const afterRestore = await pip(spec);
    const imported = afterRestore.exitCode === 0 ? (await execa(venv.py, ["-c", "import mlir._release_info as r, mlir.ir as ir; print(r.VERSION, ir.Module.parse('module {}', ir.Context()).operation.name)"], { reject: false, all: true })).all?.trim() : undefined;
    say(`after restore: yanked entries ${(pageAfter.match(/data-yanked/g) ?? []).length}; pip install ${spec} → exit ${afterRestore.exitCode}; import: ${imported}`);
    report["restore"] = {
      version,
      buildSeconds: tBuild,
      restoreSeconds: tRestore,
      built: m.artifacts.map((a) => ({ fileName: a.fileName, size: a.size, sha256: a.sha256 })),
      pipBeforePrune: first.exitCode,
      pruned: pruned.prune,
      yankedLinks,
      pipAfterPrune: { exitCode: afterPrune.exitCode, yankLine, tail: (afterPrune.all ?? "").split("\n").slice(-3) },
      restored: r.artifacts,
      identical,
      pipAfterRestore: afterRestore.exitCode,
      imported,
    };
    if (first.exitCode !== 0 || afterPrune.exitCode === 0 || !yankLine || !identical || afterRestore.exitCode !== 0) throw new Error("restore proof failed (see report.json)");
  } finally {
    await server.stop();
  }
}

let failed: unknown;
try {
  if (part !== "restore") await provePromotion();
  if (part !== "promote") await proveRestore();
} catch (e) {
  failed = e;
  report["error"] = String((e as Error).stack ?? e);
}
report["finished"] = new Date().toISOString();
writeFileSync(join(OUT, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
say(`report: ${join(OUT, "report.json")}`);
if (!failed) rmSync(scratch, { recursive: true, force: true });
else {
  process.stderr.write(`error: ${String((failed as Error).message ?? failed)} (scratch kept: ${scratch})\n`);
  process.exit(3);
}
