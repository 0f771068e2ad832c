// Wheel factory benchmark: a clean build of N Python versions in one build directory, then a
// no-op rerun. Prints per-step times, sizes, and the ratio time(all versions) / time(first one).
//   npm run bench:wheels -- [--python 3.10,3.11,3.12,3.13] [--keep]
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { defaultBuildSettings } from "../src/cli/build.js";
import { resolveOptions } from "../src/options/resolve.js";
import { buildWheels } from "../src/factory/factory.js";
import { HostEnv } from "../src/exec/host.js";
import { ConsoleProgress } from "../src/progress.js";

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
const settings = defaultBuildSettings({ python: arg("--python") ?? "3.10,3.11,3.12,3.13", out, work, cache });
const pythons = settings.pythons;
const env = new HostEnv(join(work, "logs", "bench.log"));
const progress = new ConsoleProgress();

const t0 = Date.now();
const first = await buildWheels(settings, env, progress);
const fullSeconds = (Date.now() - t0) / 1000;
const t1 = Date.now();
const rerun = await buildWheels(settings, env, progress);
const noopSeconds = (Date.now() - t1) / 1000;

const rows = first.wheels.map((w, i) => ({
  step: i === 0 ? `first wheel (py${w.python}, incl. CAPI library)` : `+ py${w.python}`,
  configure: w.seconds["configure"] ?? 0,
  build: w.seconds["build"] ?? 0,
  "install+strip": w.seconds["install"] ?? 0,
  "zip+repair": Math.round(((w.seconds["assemble"] ?? 0) + (w.seconds["repair"] ?? 0)) * 10) / 10,
  total: w.seconds["total"] ?? 0,
  "size MB": Math.round(w.size / 1e5) / 10,
}));
console.log(`\nsource: ${first.seconds["source"]}s, layer: ${first.seconds["layer"]}s (prebuilt ${first.layer.prefix})`);
console.table(rows);
const one = first.wheels[0]!.seconds["total"] ?? 1;
const all = first.wheels.reduce((s, w) => s + (w.seconds["total"] ?? 0), 0);
console.log(`all ${pythons.length} versions: ${all.toFixed(1)}s  one version: ${one.toFixed(1)}s  ratio: ${(all / one).toFixed(2)} (target <= 1.3)`);
console.log(`whole run incl. source/layer: ${fullSeconds.toFixed(1)}s`);
console.log(`no-op rerun: ${noopSeconds.toFixed(1)}s (${rerun.wheels.every((w) => w.reused) ? "all wheels reused" : "REBUILT"}, sha256 ${rerun.wheels.every((w, i) => w.sha256 === first.wheels[i]!.sha256) ? "equal" : "DIFFERENT"})`);
