// The 22.1.8 release built here, served from our own static index, for the downstream tests: the
// shared wheel + dev distribution (wheel-settings.ts), plus wheels for more Pythons when asked for
// (built into a folder of their own so the shared build's report and dev stamp stay as they are).
// MLIR_RELEASE_TEST_RELEASE_DIST=<folder> takes the shared part from a finished build's output folder
// instead (its build-report.json; every file's sha256 checked), for a machine too loaded to rebuild it.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { buildWheels, plannedInputs } from "../../src/factory/factory.js";
import { manifestForBuild } from "../../src/rebuild/build-manifest.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { type ReleaseManifest } from "../../src/schema/manifest.js";
import { sha256File } from "../../src/util/hash.js";
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

export const ReleaseDist = z.string().refine(isAbsolute, "an absolute folder").refine((d) => existsSync(join(d, "build-report.json")), "a folder with a build-report.json");

/** The shared build's report, from a finished output folder whose files still have the recorded digests. */
export async function finishedBuild(dir: string): Promise<BuildReport> {
  const report = BuildReport.parse(JSON.parse(readFileSync(join(dir, "build-report.json"), "utf8")));
  // The split: the platform's native wheel is one of the release's files too.
  for (const a of [...report.wheels, ...(report.native ? [report.native] : []), ...report.dev]) {
    if ((await sha256File(join(dir, a.fileName))) !== a.sha256) throw new Error(`MLIR_RELEASE_TEST_RELEASE_DIST: ${a.fileName} is not the file its build-report.json records`);
  }
  return report;
}

export async function servedRelease(name: string, pythons: string[] = [PYTHON]): Promise<ServedRelease> {
  const env = testEnv(name);
  const progress = testProgress(name);
  const distEnv = process.env["MLIR_RELEASE_TEST_RELEASE_DIST"];
  const sharedDir = distEnv ? ReleaseDist.parse(distEnv) : settings.outDir;
  const shared = distEnv ? await finishedBuild(sharedDir) : await buildWheels({ ...settings, dev: true, verify: false }, env, progress);
  const others = pythons.filter((p) => p !== PYTHON);
  const extraOut = join(OUTPUT, name, "extra-wheels");
  const extra = others.length ? await buildWheels({ ...settings, pythons: others, outDir: extraOut, dev: false, verify: false }, env, progress) : undefined;
  const report: BuildReport = { ...shared, wheels: [...shared.wheels, ...(extra?.wheels ?? [])] };
  const { manifest, reason } = manifestForBuild({ ...settings, pythons }, report);
  if (!manifest) throw new Error(`no manifest for the shared build: ${reason}`);
  const pathOf = (f: string): string => (existsSync(join(sharedDir, f)) && !extra?.wheels.some((w) => w.fileName === f) ? join(sharedDir, f) : join(extraOut, f));
  const indexRoot = join(OUTPUT, name, "index");
  rmSync(indexRoot, { recursive: true, force: true });
  await addRelease(indexRoot, {
    manifest,
    notes: "",
    files: manifest.artifacts.map((a) => ({ fileName: a.fileName, path: pathOf(a.fileName), sha256: a.sha256, kind: a.kind })),
  });
  const server = await serveStatic(join(indexRoot, "site"));
  // Where the factory extracted the bindings' source tree (the same function its source step uses).
  const { sourceRoot } = plannedInputs(settings);
  if (!existsSync(join(sourceRoot, "mlir", "examples", "standalone", "CMakeLists.txt"))) throw new Error(`no mlir/examples/standalone in the extracted LLVM tree ${sourceRoot}`);
  return { manifest, report, indexRoot, server, sourceRoot };
}
