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
import { register as registerPromote } from "./promote.js";
import { register as registerPrune } from "./prune.js";
import { register as registerPublish } from "./publish.js";
import { register as registerPypiCollect } from "./pypi-collect.js";
import { register as registerRestore } from "./restore.js";
import { register as registerSetup } from "./setup.js";
import { register as registerSite } from "./site.js";
import { register as registerSiteSync } from "./site-sync.js";
import { register as registerStage } from "./stage.js";
import { register as registerToolsWheel } from "./tools-wheel.js";

export function createProgram(): Command {
  const program = new Command("mlir-release")
    .description("Build, verify, stage and publish MLIR Python binding wheels");
  // Each command registers itself here (one import and one entry each); the order is --help's.
  const releaseCommands = [registerPromote, registerStage, registerSite, registerSiteSync, registerPublish, registerPypiCollect, registerPrune, registerRestore];
  const registrations: Array<(p: Command) => void> = [registerBuild, ...releaseCommands, registerGuide, registerPlan, registerPlatforms, registerDoctor, registerDownstream, registerSetup, registerLayerStore, registerToolsWheel];
  for (const register of registrations) register(program);
  return program;
}
