// The 22.1.8 release built here, served from our own static index, for the downstream tests: the
// shared wheel + dev distribution (wheel-settings.ts), plus wheels for more Pythons when asked for
// (built into a folder of their own so the shared build's report and dev stamp stay as they are).
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildWheels } from "../../src/factory/factory.js";
import { manifestForBuild } from "../../src/rebuild/build-manifest.js";
import type { BuildReport, ReleaseManifest } from "../../src/schema.js";
import { addRelease } from "../../src/site/store.js";
import { OUTPUT, testEnv, testProgress } from "./env.js";
import { serveStatic, type StaticServer } from "./servers.js";
import { PYTHON, settings } from "./wheel-settings.js";

export interface ServedRelease {
  manifest: ReleaseManifest;
  report: BuildReport;
  indexRoot: string;
  server: StaticServer;
  /** The extracted LLVM tree the bindings were built from (holds mlir/examples/standalone). */
  sourceRoot: string;
}

export async function servedRelease(name: string, pythons: string[] = [PYTHON]): Promise<ServedRelease> {
  const env = testEnv(name);
  const progress = testProgress(name);
  const shared = await buildWheels({ ...settings, dev: true, verify: false }, env, progress);
  const others = pythons.filter((p) => p !== PYTHON);
  const extraOut = join(OUTPUT, name, "extra-wheels");
  const extra = others.length ? await buildWheels({ ...settings, pythons: others, outDir: extraOut, dev: false, verify: false }, env, progress) : undefined;
  const report: BuildReport = { ...shared, wheels: [...shared.wheels, ...(extra?.wheels ?? [])] };
  const { manifest, reason } = manifestForBuild({ ...settings, pythons }, report);
  if (!manifest) throw new Error(`no manifest for the shared build: ${reason}`);
  const pathOf = (f: string): string => (existsSync(join(settings.outDir, f)) && !extra?.wheels.some((w) => w.fileName === f) ? join(settings.outDir, f) : join(extraOut, f));
  const indexRoot = join(OUTPUT, name, "index");
  rmSync(indexRoot, { recursive: true, force: true });
  await addRelease(indexRoot, {
    manifest,
    notes: "",
    files: manifest.artifacts.map((a) => ({ fileName: a.fileName, path: pathOf(a.fileName), sha256: a.sha256, kind: a.kind })),
  });
  const server = await serveStatic(join(indexRoot, "site"));
  const sourceRoot = readdirSync(join(settings.cacheDir, "trees"))
    .filter((d) => d.endsWith("-bindings"))
    .map((d) => join(settings.cacheDir, "trees", d))
    .find((d) => existsSync(join(d, "mlir", "examples", "standalone", "CMakeLists.txt")));
  if (!sourceRoot) throw new Error("no extracted LLVM tree with mlir/examples/standalone under the cache");
  return { manifest, report, indexRoot, server, sourceRoot };
}
