// The provisioning steps of a platform module (tools venv from the family's hashed requirements
// file, then the compiler/SDK checks), run by the same step runner as `build`, whose first steps
// they are. `mlir-release setup` (src/cli/setup.ts) runs them alone; ci/setup.sh and the workflows'
// host jobs call it. The tools venv is the resolver's toolsDir (MLIR_RELEASE_TOOLS, default .cache/tools).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { runnable } from "../exec/env.js";
import { join } from "node:path";
import type { Platform } from "../platforms/platform.js";
import { provisionSteps, requirementsPath, toolsInterpreter } from "../platforms/platform-plan.js";
import { InvalidInputError } from "../errors.js";
import { BuildStep } from "../schema/build-step.js";
import { sha256Hex } from "../util/hash.js";

const listDir = (d: string): string[] => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

/** The provisioning steps of `platform` on this machine (what `setup` runs and `build` runs first). */
export function setupSteps(platform: Platform, o: { repoRoot: string; toolsDir: string; requirements?: string; discoveryEnv: Readonly<Record<string, string>> }): BuildStep[] {
  const file = o.requirements ?? join(o.repoRoot, requirementsPath(platform.toolsFamily));
  if (!existsSync(file)) throw new InvalidInputError(`requirements file ${file} does not exist: pass an existing --requirements file`);
  // A path that exists, or a bare pythonX.Y on PATH (setup-python on a runner): never a missing path.
  const toolsPython = toolsInterpreter(platform, o.discoveryEnv, listDir, (f) => runnable(f, o.discoveryEnv["PATH"]));
  return provisionSteps(platform, { toolsDir: o.toolsDir, toolsPython, requirements: { file, key: sha256Hex(readFileSync(file)) } }).map((s) => BuildStep.parse(s));
}

