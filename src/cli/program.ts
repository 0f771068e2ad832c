// The CLI's commander program: every command and its options, built without parsing anything, so
// tests (and the Dagger argv check) can read the real option table.
import { Command } from "commander";
import { register as registerDownstream } from "./downstream.js";
import { register as registerBuild } from "./build.js";
import { register as registerDoctor } from "./doctor.js";
import { register as registerGuide } from "./guide.js";
import { register as registerLayerStore } from "./layer-store.js";
import { register as registerPlan } from "./plan.js";
import { register as registerPlatforms } from "./platforms.js";
import { register as registerPublish } from "./publish.js";
import { register as registerSetup } from "./setup.js";
import { register as registerToolsWheel } from "./tools-wheel.js";

export function createProgram(): Command {
  const program = new Command("mlir-release")
    .description("Build, verify, stage and publish MLIR Python binding wheels");
  // Areas register their subcommands here (one import and one call each).
  const registrations: Array<(p: Command) => void> = [registerBuild, registerPublish, registerGuide, registerPlan, registerPlatforms, registerDoctor, registerDownstream, registerSetup, registerLayerStore, registerToolsWheel];
  for (const register of registrations) register(program);
  return program;
}
