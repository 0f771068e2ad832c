// What a build writes to its work and output folders, from the sizes measured here (22.1.8 on x86_64,
// docs/wheel-measurements.md), rounded up: the check is for a disk that is nearly full, not for the
// last hundred megabytes. A from-source layer's need is its module's (sourceLayerSpaceNeed, src/layer/layer.ts).
import type { BuildPlan } from "./build-plan.js";
import type { BuildSettings } from "./settings.js";
import type { SpaceNeed } from "../util/free-space.js";

const GB = 1e9;

/** Per interpreter build: its bindings build folder (~150 MB), raw and repaired wheels, the verify venv (~150 MB). */
const PER_BUILD = 0.4 * GB;
/** The C API library, the native wheel raw and repaired (~55 MB each), logs and stamps. */
const SHARED = 0.5 * GB;
/** The dev distribution: its work folder (1.9 GB) and the tarball and dev wheel in the output (~0.8 GB). */
const DEV_WORK = 1.9 * GB;
const DEV_OUT = 0.8 * GB;
/** The tools wheel: its staged programs (~400 MB stripped and unstripped) and the wheel. */
const TOOLS = 0.5 * GB;
/** Another package's library build and wheel (clang's: libclang linked from the layer's archives). */
const PACKAGE = 1 * GB;

/** The work and output folders' needs of one build, before what is already in them is counted. */
export function buildSpaceNeeds(s: BuildSettings, plan: BuildPlan): SpaceNeed[] {
  const n = plan.builds.length;
  const work = SHARED + n * PER_BUILD + (s.dev ? DEV_WORK : 0) + (s.toolsWheel ? TOOLS : 0) + plan.packages.length * PACKAGE;
  const what = [`${n} interpreter build${n === 1 ? "" : "s"}`, ...(s.dev ? ["the dev distribution"] : []), ...(s.toolsWheel ? ["the tools wheel"] : []), ...plan.packages.map((p) => `package ${p.distribution}`)].join(", ");
  return [
    { path: s.workDir, bytes: work, what: `work: ${what}` },
    { path: s.outDir, bytes: 0.1 * GB * n + (s.dev ? DEV_OUT : 0), what: "output: wheels" },
  ];
}
