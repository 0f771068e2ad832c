// The one real wheel the integration tests share: Debian's pinned LLVM 22.1.8 source on the prebuilt
// /usr/lib/llvm-22 layer, for one Python. Tests that need it call buildWheels with these settings;
// the factory's stamps make the second caller reuse the first one's wheel.
import { join } from "node:path";
import { buildSettings } from "./build-settings.js";
import type { ExecEnv } from "../../src/exec/env.js";
import { buildWheels, type BuildSettings } from "../../src/factory/factory.js";
import type { Progress } from "../../src/progress.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import { CACHE, OUTPUT } from "./env.js";

export const PYTHON = process.env["MLIR_RELEASE_TEST_PYTHON"] ?? "3.12";

// What `mlir-release build --python <PYTHON> --no-dev` builds (with lit), at a fixed timestamp.
const resolved = buildSettings({
  python: PYTHON,
  out: join(OUTPUT, "wheel-factory", "dist"),
  work: join(CACHE, "test-work"),
  cache: CACHE,
  verify: true,
  lit: true,
});
export const settings: BuildSettings = { ...resolved, release: { ...resolved.release, sourceDateEpoch: 1_781_000_000 } };

/**
 * Upstream tests that need upstream's test-only extension (_mlirPythonTestNanobind, built with
 * MLIR_INCLUDE_TESTS=ON): a release wheel deliberately does not ship it.
 */
export const NEEDS_TEST_EXTENSION = [
  "python/dialects/python_test.py",
  "python/ir/diagnostic_handler.py",
  "python/multithreaded_tests.py",
];

/** The shared build's wheels a venv installs from their files: the per-Python wheel, the native wheel it
 *  pins (==version, the split) and the dev wheel. */
export function sharedWheelFiles(report: BuildReport): string[] {
  const dev = report.dev.find((a) => a.kind === "dev-wheel");
  if (!dev) throw new Error("the shared build has no dev wheel");
  return [report.wheels[0]!, ...(report.native ? [report.native] : []), dev].map((w) => join(settings.outDir, w.fileName));
}

/**
 * The shared build's per-Python wheel and the native wheel it pins (built, or reused through the
 * factory's stamps); or MLIR_RELEASE_TEST_WHEEL with MLIR_RELEASE_TEST_NATIVE_WHEEL beside it.
 */
export async function sharedSplitPair(env: ExecEnv, progress: Progress): Promise<{ wheel: string; native: string }> {
  const given = process.env["MLIR_RELEASE_TEST_WHEEL"];
  const [wheel, native] = given
    ? [given, process.env["MLIR_RELEASE_TEST_NATIVE_WHEEL"]]
    : await (async () => {
        const r = await buildWheels({ ...settings, dev: false, verify: false }, env, progress);
        return [join(settings.outDir, r.wheels[0]!.fileName), r.native ? join(settings.outDir, r.native.fileName) : undefined];
      })();
  if (!native) throw new Error("the split pair needs the native wheel its per-Python wheel pins (set MLIR_RELEASE_TEST_NATIVE_WHEEL beside MLIR_RELEASE_TEST_WHEEL)");
  return { wheel, native };
}
