// `mlir-release setup [--platform P]`: the platform's provisioning steps alone (src/factory/setup.ts),
// run by the step runner; the tools venv is the resolver's (MLIR_RELEASE_TOOLS, default <repo>/.cache/tools).
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { z } from "zod";
import { HostEnv } from "../exec/host.js";
import { runSteps } from "../exec/steps.js";
import { setupSteps } from "../factory/setup.js";
import type { OptionFlags } from "../options/resolve-options.js";
import { platformById } from "../platforms/index.js";
import { formatStep } from "../platforms/platform-plan.js";
import { ConsoleProgress } from "../progress.js";
import { parseOrExplain } from "../schema/parse.js";
import { PlatformId } from "../schema/platform.js";
import { BUILD_DEFAULTS } from "./build-commands.js";

const SetupFlags = z.object({
  platform: PlatformId,
  requirements: z.string().min(1).optional(),
  work: z.string().min(1).optional(),
  config: z.string().min(1).optional(),
  cache: z.string().min(1).optional(),
  dryRun: z.boolean().optional(),
});

/** `setup`'s flags as commander hands them over. */
interface SetupCliFlags extends Pick<OptionFlags, "config" | "cache"> {
  platform: string;
  requirements?: string;
  work?: string;
  dryRun?: boolean;
}

export function register(program: Command, cli: CliContext): void {
  program
    .command("setup")
    .description("Create the tools venv (MLIR_RELEASE_TOOLS, default .cache/tools) from the platform's hashed requirements and check the compiler/SDK")
    .option("--platform <id>", "platform whose tools and toolchain to set up", BUILD_DEFAULTS.platform)
    .option("--requirements <file>", "hashed requirements file instead of containers/provision/requirements/<family>.txt")
    .option("--work <dir>", "where the log goes (logs/setup-<platform>.log; default: <cache>/work)")
    .option("--cache <dir>", "the cache whose work/ holds the log (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)")
    .option("--config <file>", "release config (default: release.config.json)")
    .option("--dry-run", "print the steps, run nothing")
    .action(cli.withOptions(async (o, raw: SetupCliFlags) => {
      const f = parseOrExplain(SetupFlags, raw, "setup options");
      const platform = platformById(f.platform, { host: o.host });
      const tools = o.toolsDir;
      const steps = setupSteps(platform, { repoRoot: o.repoRoot, toolsDir: tools, discoveryEnv: o.host.discoveryEnv, ...(f.requirements ? { requirements: resolve(f.requirements) } : {}) });
      if (f.dryRun) {
        process.stdout.write(`${steps.map((s, i) => formatStep(i + 1, steps.length, s)).join("\n")}\n`);
        return;
      }
      const env = new HostEnv(join(resolve(f.work ?? join(o.cacheDir, "work")), "logs", `setup-${platform.id}.log`));
      const progress = new ConsoleProgress();
      progress.info(`full log: ${env.logFile}`);
      const { records } = await runSteps(steps, { env, progress, handlers: {} });
      for (const r of records) process.stdout.write(`${r.id}: ${r.status}${r.status === "ran" ? ` (${r.seconds}s)` : ""}\n`);
      process.stdout.write(`tools venv: ${tools}\n`);
    }));
}
