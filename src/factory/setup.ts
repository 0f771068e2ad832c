// `mlir-release setup [--platform P]`: the provisioning steps of the platform module (tools venv
// from the family's hashed requirements file, then the compiler/SDK checks), run by the same step
// runner as `build`, whose first steps they are. ci/setup.sh (Debian packages, npm ci) and the
// workflows' host jobs call it; the tools venv lives at MLIR_RELEASE_TOOLS (default .cache/tools).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { HostEnv } from "../exec/host.js";
import { runSteps } from "../exec/steps.js";
import { platformById } from "../platforms/index.js";
import type { Platform } from "../platforms/platform.js";
import { formatStep, provisionSteps, requirementsPath, TOOLS_PYTHON } from "../platforms/resolve.js";
import { ConsoleProgress } from "../progress.js";
import { BuildStep, InvalidInputError, parseOrExplain, PlatformId } from "../schema.js";
import { sha256Hex } from "../util/hash.js";
import { BUILD_DEFAULTS, REPO_ROOT, toolsDir } from "./cli.js";

const SetupFlags = z.object({
  platform: PlatformId,
  requirements: z.string().min(1).optional(),
  work: z.string().min(1),
  dryRun: z.boolean().optional(),
});

const listDir = (d: string): string[] => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

/** The provisioning steps of `platform` on this machine (what `setup` runs and `build` runs first). */
export function setupSteps(platform: Platform, o: { toolsDir: string; requirements?: string }): BuildStep[] {
  const file = o.requirements ?? join(REPO_ROOT, requirementsPath(platform.toolsFamily));
  if (!existsSync(file)) throw new InvalidInputError(`requirements file ${file} does not exist: pass an existing --requirements file`);
  const candidates = platform.pythonCandidates(TOOLS_PYTHON, process.env, listDir);
  const toolsPython = candidates.find((c) => existsSync(c)) ?? candidates[0]!;
  return provisionSteps(platform, { toolsDir: o.toolsDir, toolsPython, requirements: { file, key: sha256Hex(readFileSync(file)) } }).map((s) => BuildStep.parse(s));
}

export function register(program: Command): void {
  program
    .command("setup")
    .description("Create the tools venv (MLIR_RELEASE_TOOLS, default .cache/tools) from the platform's hashed requirements and check the compiler/SDK")
    .option("--platform <id>", "platform whose tools and toolchain to set up", BUILD_DEFAULTS.platform)
    .option("--requirements <file>", "hashed requirements file instead of containers/provision/requirements/<family>.txt")
    .option("--work <dir>", "where the log goes (logs/setup-<platform>.log)", BUILD_DEFAULTS.work)
    .option("--dry-run", "print the steps, run nothing")
    .action(async (raw: unknown) => {
      const f = parseOrExplain(SetupFlags, raw, "setup options");
      const platform = platformById(f.platform);
      const tools = toolsDir();
      const steps = setupSteps(platform, { toolsDir: tools, ...(f.requirements ? { requirements: resolve(f.requirements) } : {}) });
      if (f.dryRun) {
        process.stdout.write(`${steps.map((s, i) => formatStep(i + 1, steps.length, s)).join("\n")}\n`);
        return;
      }
      const env = new HostEnv(join(resolve(f.work), "logs", `setup-${platform.id}.log`));
      const progress = new ConsoleProgress();
      progress.info(`full log: ${env.logFile}`);
      const { records } = await runSteps(steps, { env, progress, handlers: {} });
      for (const r of records) process.stdout.write(`${r.id}: ${r.status}${r.status === "ran" ? ` (${r.seconds}s)` : ""}\n`);
      process.stdout.write(`tools venv: ${tools}\n`);
    });
}
