// Wheel factory benchmark, split layout (issue 17): a clean build of N Python versions in one
// build directory, then a no-op rerun. Prints per-step times, the native wheel's and each
// per-Python wheel's bytes, bytes per release for 4 and 6 Pythons split vs bundled, the ratio
// time(N versions) / time(one), and the install time in a fresh venv, split vs bundled.
//   npm run bench:wheels -- [--python 3.10,3.11,3.12,3.13] [--source <spec> --layer <spec>] [--keep]
//
// "Bundled" is measured on the same build: for one Python, the per-Python wheel's members plus the
// native wheel's members (the C API, runtime libraries and grafted libzstd) deflated into one wheel,
// as the bundled layout shipped them; its extra zip time and an auditwheel repair of it are timed
// and counted once per extra Python (that is what the bundled layout repeats per Python).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { buildSettings } from "../test/support/build-settings.js";
import { resolveOptions } from "../src/options/resolve-options.js";
import { buildWheels, PIPELINE_VERSION, tagOf } from "../src/factory/factory.js";
import { HostEnv } from "../src/exec/host.js";
import { ConsoleProgress } from "../src/progress.js";
import { writeDeterministicZip, type ZipEntry } from "../src/wheels/zip.js";
import { recordLine } from "../src/wheels/wheel.js";

const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const cache = resolveOptions().cacheDir;
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const work = join(cache, "bench-work");
const out = join(REPO, "test-output", "bench-wheels");
if (!process.argv.includes("--keep")) {
  rmSync(work, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}
// What `mlir-release build --no-verify --no-dev` builds, in a bench work dir.
// --source/--layer as build takes them (the 23.1.1 from-source release: --source debian:23.1.1 --layer source).
const source = arg("--source");
const layer = arg("--layer");
const settings = buildSettings({ python: arg("--python") ?? "3.10,3.11,3.12,3.13", out, work, cache, ...(source ? { source } : {}), ...(layer ? { layer } : {}) });
const pythons = settings.pythons;
const env = new HostEnv(join(work, "logs", "bench.log"));
const progress = new ConsoleProgress();

const t0 = Date.now();
const first = await buildWheels(settings, env, progress);
const fullSeconds = (Date.now() - t0) / 1000;
const t1 = Date.now();
const rerun = await buildWheels(settings, env, progress);
const noopSeconds = (Date.now() - t1) / 1000;
const native = first.native;
if (!native) throw new Error("the build made no native wheel: bench:wheels measures the split layout");

const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
const r1 = (x: number): number => Math.round(x * 10) / 10;
const MB = (b: number): number => Math.round(b / 1e5) / 10;
const rows = first.wheels.map((w, i) => ({
  step: i === 0 ? `first wheel (py${w.python}, incl. the C API library link)` : `+ py${w.python}`,
  venv: r1((w.seconds["venv"] ?? 0) + (w.seconds["venv-install"] ?? 0)),
  configure: w.seconds["configure"] ?? 0,
  build: w.seconds["build"] ?? 0,
  "install+strip": r1((w.seconds["install"] ?? 0) + (w.seconds["strip"] ?? 0)),
  "zip+repair": r1((w.seconds["zip"] ?? 0) + (w.seconds["inspect"] ?? 0) + (w.seconds["repair"] ?? 0) + (w.seconds["place"] ?? 0)),
  total: r1(sum(w.seconds)),
  "wheel MB": MB(w.size),
}));
rows.push({ step: "native wheel (once per platform)", venv: 0, configure: 0, build: 0, "install+strip": 0, "zip+repair": r1(sum(native.seconds)), total: r1(sum(native.seconds)), "wheel MB": MB(native.size) });
console.log(`\nsource: ${first.seconds["source"]}s, layer: ${first.seconds["layer"]}s (${first.layer.kind} ${first.layer.prefix})`);
console.table(rows);

// Time: N Pythons vs one (each including the native wheel, made once).
const nativeSeconds = sum(native.seconds);
const one = sum(first.wheels[0]!.seconds) + nativeSeconds;
const all = first.wheels.reduce((s, w) => s + sum(w.seconds), 0) + nativeSeconds;
const extra = first.wheels.slice(1).map((w) => sum(w.seconds));
const perExtra = extra.length ? extra.reduce((a, b) => a + b, 0) / extra.length : 0;

// Bundled on the same build: one wheel holding the per-Python members and the native members.
const bundleDir = join(work, "bundled");
rmSync(bundleDir, { recursive: true, force: true });
mkdirSync(join(bundleDir, "repaired"), { recursive: true });
// The 3.12 wheel when built (the tools venv's CPython installs it below), else the first.
const w0 = first.wheels.find((w) => w.python === "3.12") ?? first.wheels[0]!;
const perFiles = unzipSync(readFileSync(join(out, w0.fileName)));
const natFiles = unzipSync(readFileSync(join(out, native.fileName)));
const distInfo = Object.keys(perFiles).find((n) => n.endsWith(".dist-info/METADATA"))!.split("/")[0]!;
const entries: ZipEntry[] = [];
for (const [name, data] of [...Object.entries(perFiles), ...Object.entries(natFiles)]) {
  if (name.includes(".dist-info/")) continue;
  entries.push({ name, data, executable: /\.so(\.\d+)*$/.test(name) });
}
const meta = Buffer.from(perFiles[`${distInfo}/METADATA`]!).toString().replace(/^Requires-Dist: [a-z-]+-native==.*\n/m, "");
entries.push({ name: `${distInfo}/METADATA`, data: Buffer.from(meta) }, { name: `${distInfo}/WHEEL`, data: perFiles[`${distInfo}/WHEEL`]! });
entries.sort((a, b) => (a.name < b.name ? -1 : 1));
entries.push({ name: `${distInfo}/RECORD`, data: Buffer.from(`${[...entries.map((e) => recordLine(e.name, e.data)), `${distInfo}/RECORD,,`].join("\n")}\n`) });
const bundledName = w0.fileName;
const tz = Date.now();
// No deflate memo: the bundled layout deflates the C API library again for every Python.
await writeDeterministicZip(join(bundleDir, bundledName), entries, first.sourceDateEpoch, 6, Number.POSITIVE_INFINITY);
const bundledZipSeconds = (Date.now() - tz) / 1000;
const bundledSize = statSync(join(bundleDir, bundledName)).size;
// The repair the bundled layout repeats per Python: auditwheel on an unrepaired bundled wheel, made
// from the build's own unrepaired wheels (raw-wheels/: the last Python's and the native one).
const rawDir = join(work, "raw-wheels");
const rawNames = readdirSync(rawDir).filter((n) => n.endsWith(".whl"));
const rawNative = rawNames.find((n) => n.includes("_native-"));
const rawPer = rawNames.find((n) => !n.includes("_native-") && !n.includes("_dev-"));
if (!rawNative || !rawPer) throw new Error(`bench: ${rawDir} lacks an unrepaired per-Python or native wheel (${rawNames.join(", ")})`);
const rawPerFiles = unzipSync(readFileSync(join(rawDir, rawPer)));
const rawDistInfo = Object.keys(rawPerFiles).find((n) => n.endsWith(".dist-info/METADATA"))!.split("/")[0]!;
const rawEntries: ZipEntry[] = [];
for (const [name, data] of [...Object.entries(rawPerFiles), ...Object.entries(unzipSync(readFileSync(join(rawDir, rawNative))))]) {
  if (name.includes(".dist-info/")) continue;
  rawEntries.push({ name, data, executable: /\.so(\.\d+)*$/.test(name) });
}
rawEntries.push({ name: `${rawDistInfo}/METADATA`, data: rawPerFiles[`${rawDistInfo}/METADATA`]! }, { name: `${rawDistInfo}/WHEEL`, data: rawPerFiles[`${rawDistInfo}/WHEEL`]! });
rawEntries.sort((a, b) => (a.name < b.name ? -1 : 1));
rawEntries.push({ name: `${rawDistInfo}/RECORD`, data: Buffer.from(`${[...rawEntries.map((e) => recordLine(e.name, e.data)), `${rawDistInfo}/RECORD,,`].join("\n")}\n`) });
const rawBundled = join(bundleDir, "raw", rawPer);
mkdirSync(join(bundleDir, "raw"), { recursive: true });
await writeDeterministicZip(rawBundled, rawEntries, first.sourceDateEpoch, 0);
const tr = Date.now();
execFileSync(join(settings.toolsDir, "bin", "auditwheel"), ["repair", "--zip-compression-level", "0", "--plat", tagOf(w0.fileName).platform, "-w", join(bundleDir, "repaired"), rawBundled], {
  env: { ...process.env, PATH: `${join(settings.toolsDir, "bin")}:${process.env["PATH"] ?? ""}` },
  stdio: ["ignore", "ignore", "inherit"],
});
const bundledRepairSeconds = (Date.now() - tr) / 1000;
const bundledPerExtra = perExtra + bundledZipSeconds + bundledRepairSeconds;

const perPythonMean = first.wheels.reduce((s, w) => s + w.size, 0) / first.wheels.length;
const release = (n: number) => ({ split: native.size + n * perPythonMean, bundled: n * (bundledSize - w0.size + perPythonMean) });
const r4 = release(4);
const r6 = release(6);
const BASELINE_4 = 239e6;
console.log(`\nbytes per release (one platform): native ${MB(native.size)} MB + per-Python mean ${MB(perPythonMean)} MB (measured ${first.wheels.length}); bundled wheel ${MB(bundledSize)} MB`);
console.table([
  { pythons: 4, "split MB": MB(r4.split), "bundled MB": MB(r4.bundled), "split / bundled": `${((100 * r4.split) / r4.bundled).toFixed(0)} %`, "split / 239 MB": `${((100 * r4.split) / BASELINE_4).toFixed(0)} %` },
  { pythons: 6, "split MB": MB(r6.split), "bundled MB": MB(r6.bundled), "split / bundled": `${((100 * r6.split) / r6.bundled).toFixed(0)} %`, "split / 239 MB": "" },
]);
if (first.wheels.length < 6) console.log(`(6 Pythons extrapolated from the measured mean per-Python wheel of ${first.wheels.length})`);
console.log(`per extra Python: split ${r1(perExtra)}s, bundled ${r1(bundledPerExtra)}s (= split + bundled zip ${r1(bundledZipSeconds)}s + bundled repair ${r1(bundledRepairSeconds)}s, measured on this build)`);
const ratio = all / one;
const maxWheel = Math.max(...first.wheels.map((w) => w.size));
console.log(`all ${pythons.length} versions: ${all.toFixed(1)}s  one version: ${one.toFixed(1)}s  ratio: ${ratio.toFixed(2)} (target <= 2.4 for 4)`);
console.log(`bytes per ${pythons.length}-Python release: ${MB(native.size + first.wheels.reduce((s, w) => s + w.size, 0))} MB (target <= ${MB(0.4 * BASELINE_4)} MB for 4)`);
console.log(`largest per-Python wheel: ${MB(maxWheel)} MB (target <= 10 MB)`);

// Install time in a fresh venv: the two split wheels vs the one bundled wheel (--no-deps: our bytes only).
const timeInstall = (label: string, files: string[]): number => {
  const venv = join(bundleDir, `venv-${label}`);
  const interp = join(settings.toolsDir, "bin", "python");
  execFileSync(interp, ["-m", "venv", "--clear", venv]);
  const t = Date.now();
  execFileSync(join(venv, "bin", "python"), ["-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--no-index", ...files], { stdio: "ignore" });
  return (Date.now() - t) / 1000;
};
if (tagOf(w0.fileName).python === "cp312") {
  const split = timeInstall("split", [join(out, w0.fileName), join(out, native.fileName)]);
  const bundled = timeInstall("bundled", [join(bundleDir, bundledName)]);
  console.log(`install into a fresh venv (pip --no-deps, the tools' CPython 3.12): split ${r1(split)}s, bundled ${r1(bundled)}s`);
} else {
  console.log("install time: skipped (the first Python is not 3.12, the tools venv's interpreter)");
}
console.log(`whole run incl. source/layer: ${fullSeconds.toFixed(1)}s`);
const same = rerun.wheels.every((w, i) => w.sha256 === first.wheels[i]!.sha256) && rerun.native?.sha256 === native.sha256;
console.log(`no-op rerun: ${noopSeconds.toFixed(1)}s (${rerun.wheels.every((w) => w.reused) && rerun.native?.reused ? "all wheels reused" : "REBUILT"}, sha256 ${same ? "equal" : "DIFFERENT"})`);
console.log(`generator: ${PIPELINE_VERSION}`);
rmSync(bundleDir, { recursive: true, force: true });
