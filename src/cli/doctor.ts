// `mlir-release doctor`: prints the day-one checklist with each checkable item's state; exit status
// 0 when everything checkable is set, 3 when an item must be fixed (each named with its fix).
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { REPO_ROOT } from "../options/resolve-options.js";
import { InvalidInputError } from "../errors.js";
import { doctor, formatChecks } from "../doctor/doctor.js";

const DOCTOR_FAILED_EXIT = 3;

export function register(program: Command, cli: CliContext): void {
  program
    .command("doctor")
    .description("Check the day-one settings (repository variables, image lock, config, the distribution name on the index); exit 3 naming each missing item")
    .option("--kind <kind>", "which workflow's settings: snapshot or numbered (numbered adds the PyPI items)", "numbered")
    .option("--config <file>", "release.config.json")
    .action(async (o: { kind: string; config?: string }) => {
      if (o.kind !== "snapshot" && o.kind !== "numbered") throw new InvalidInputError(`--kind '${o.kind}': expected snapshot or numbered`);
      const checks = await doctor({ repoRoot: REPO_ROOT, kind: o.kind, env: cli.env, ...(o.config ? { configPath: o.config } : {}) });
      process.stdout.write(formatChecks(checks));
      if (checks.some((c) => !c.ok)) process.exitCode = DOCTOR_FAILED_EXIT;
    });
}
