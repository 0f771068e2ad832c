// Step `dev`: the dev distribution (tarball + dev wheel) from the layer and the first Python's
// bindings build, reused while its wheels, layer and code are unchanged.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { buildDevDistribution, devTemplateFiles } from "../../dev/devdist.js";
import type { ExecEnv } from "../../exec/env.js";
import type { LlvmLayer } from "../../layer/layer.js";
import type { Progress } from "../../progress.js";
import { InvalidInputError } from "../../errors.js";
import { type BuildReport } from "../../schema/build-report.js";
import { canonicalHash, sha256Hex } from "../../util/hash.js";
import { wheelTemplatePath } from "../../wheels/templates.js";
import { PIPELINE_VERSION } from "../settings.js";
import type { DevInputs } from "../step-inputs.js";
import type { SourceOutput } from "./source.js";
import { reuseDevIfUnchanged } from "./stamps.js";
import { got, type StepModule } from "./step-context.js";

/** What the dev distribution is made from besides the wheels and the layer: its template files and the layer fixups. */
const devCodeHash = (repoRoot: string): string =>
  sha256Hex(
    [...devTemplateFiles(repoRoot), join(repoRoot, "src", "wheels", "tools.ts"), wheelTemplatePath("tools.py.in", repoRoot), wheelTemplatePath("entry-point.py.in", repoRoot), join(repoRoot, "containers", "bindings", "cmake", "MLIRReleaseLayerFixups.cmake")]
      .map((f) => `${relative(repoRoot, f)} ${sha256Hex(readFileSync(f))}`)
      .join("\n"),
  );

interface DevInput {
  dev: DevInputs;
  env: ExecEnv;
  progress: Progress;
  source: SourceOutput;
  layer: LlvmLayer;
  /** The per-Python wheels of this build (built or reused), first Python first. */
  wheels: readonly { python: string; sha256: string; tag: { platform: string } }[];
  /** The per-Python wheels get the C API from the native wheel. */
  split: boolean;
}

async function runDev(i: DevInput): Promise<BuildReport["dev"] | undefined> {
  const { dev: s, layer } = i;
  const first = i.wheels[0];
  if (!first) return undefined;
  const buildDir = join(s.workDir, "bindings", s.platform);
  const devKey = canonicalHash({ wheels: i.wheels.map((w) => w.sha256), layer: layer.key, devCode: devCodeHash(s.repoRoot) });
  const devStamp = join(s.workDir, "stamps", `${s.platform}-dev.json`);
  const reusedDev = reuseDevIfUnchanged(devStamp, devKey, s.outDir);
  if (reusedDev) {
    i.progress.step("unchanged, reusing the dev distribution");
    return reusedDev;
  }
  const stagedPackageDir = join(s.workDir, "stage", `${s.platform}-py${first.python}`, "mlir");
  if (!existsSync(join(buildDir, "CMakeCache.txt")) || !existsSync(stagedPackageDir)) {
    throw new InvalidInputError(
      `the dev distribution needs the bindings build (${buildDir}) and a staged package (${stagedPackageDir}); rerun without reused wheels (delete ${join(s.workDir, "stamps")})`,
    );
  }
  const dev = await buildDevDistribution({
    env: i.env,
    progress: i.progress,
    repoRoot: s.repoRoot,
    layer,
    bindingsBuildDir: buildDir,
    stagedPackageDir,
    capiFromNativeWheel: i.split,
    workDir: s.workDir,
    outDir: s.outDir,
    info: {
      distribution: s.distribution,
      devDistribution: s.devDistribution,
      version: i.source.version,
      llvmVersion: i.source.tree.version.text,
      llvmCommit: i.source.commit,
      platform: s.platform,
      nanobind: s.nanobind,
      nanobindDomain: s.nanobindDomain,
      packagePrefix: "mlir",
    },
    platformTag: first.tag.platform,
    sourceDateEpoch: i.source.sourceDateEpoch,
    generator: PIPELINE_VERSION,
  });
  writeFileSync(devStamp, JSON.stringify({ key: devKey, dev }, null, 2));
  return dev;
}

/** Step `dev-distribution`. */
export const devStep: StepModule<"dev"> = {
  input: "dev",
  async run(_step, c) {
    c.outputs.dev = await runDev({ dev: c.input, env: c.env, progress: c.progress, source: got(c.outputs.source, "the source"), layer: got(c.outputs.layer, "the layer"), wheels: c.perPythonWheels(), split: !!c.plan.native });
  },
};
