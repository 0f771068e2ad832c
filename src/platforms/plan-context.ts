// What every phase of a platform's plan shares: the platform, the resolve input, and the paths and
// tools derived from them once (the platform's own conventions, never a branch on its OS).
import type { PlatformPath } from "node:path";
import type { Platform } from "./platform.js";
import { REQUIREMENTS_DIR, requirementsPath } from "./plan-provision.js";
import type { RequirementsInput, ResolveInput } from "./platform-plan.js";

export interface PlanContext {
  p: Platform;
  input: ResolveInput;
  path: PlatformPath;
  workDir: string;
  cacheDir: string;
  outDir: string;
  toolsBin: string;
  toolsDir: string;
  /** The runner's environment for discovery. */
  env: Record<string, string | undefined>;
  requirements: RequirementsInput;
  /** A program of the tools venv. */
  tool(name: string): string;
  policy: string;
  /** The bindings build folder (one per platform), the raw and the repaired wheels' folders. */
  buildDir: string;
  rawDir: string;
  repairDir: string;
}

export function planContext(p: Platform, input: ResolveInput): PlanContext {
  const c = p.conventions;
  const path = c.path;
  const workDir = p.fixedWorkDir ?? input.workDir;
  const cacheDir = p.fixedWorkDir ?? input.cacheDir ?? workDir;
  const toolsBin = input.toolsBin;
  return {
    p,
    input,
    path,
    workDir,
    cacheDir,
    outDir: input.outDir ?? path.join(workDir, "dist"),
    toolsBin,
    toolsDir: input.toolsDir ?? path.dirname(toolsBin),
    env: { ...p.runner.env, ...(input.env ?? {}) },
    requirements: input.requirements ?? {
      tools: { file: path.join(input.repoRoot, ...REQUIREMENTS_DIR, `${p.toolsFamily}.txt`), key: `<sha256 of ${requirementsPath(p.toolsFamily)}>` },
      build: { file: path.join(input.repoRoot, ...REQUIREMENTS_DIR, "build.txt"), key: `<sha256 of ${requirementsPath("build")}>` },
    },
    // toolsBin is the venv's program folder itself (bin, Scripts): only the suffix is the OS's.
    tool: (name) => path.join(toolsBin, `${name}${c.exe}`),
    policy: input.repairPolicy ?? p.defaultRepairPolicy(),
    buildDir: path.join(workDir, "bindings", p.id),
    rawDir: path.join(workDir, "raw-wheels"),
    repairDir: path.join(workDir, "repaired"),
  };
}
