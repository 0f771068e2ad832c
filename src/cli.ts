#!/usr/bin/env node
// The host CLI: thin, parses input and calls the stages. Each area registers its own commands.
import { Command } from "commander";
import { CommandFailedError } from "./exec/env.js";
import { InvalidInputError } from "./schema.js";
import { register as registerBuild } from "./factory/cli.js";
import { register as registerPublish } from "./publish/cli.js";
import { register as registerDev } from "./dev/cli.js";
import { register as registerPlan } from "./plan/cli.js";
import { register as registerPlatforms } from "./platforms/cli.js";
import { register as registerDoctor } from "./doctor/cli.js";

const program = new Command("mlir-release")
  .description("Build, verify, stage and publish MLIR Python binding wheels")
  .showHelpAfterError();

// Areas register their subcommands here (one import and one call each).
const registrations: Array<(p: Command) => void> = [registerBuild, registerPublish, registerDev, registerPlan, registerPlatforms, registerDoctor];
for (const register of registrations) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommandFailedError || err instanceof InvalidInputError) {
    process.stderr.write(`error: ${err.message}\n`);
  } else {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
