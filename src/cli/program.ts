// The CLI's commander program: every command and its options, built without parsing anything, so
// tests (and the Dagger argv check) can read the real option table. The program resolves the options
// (src/options/) once, from the command's flags, the config and the environment it was given, and
// hands the frozen object to the command's handler: no command reads configuration on its own.
import { Command } from "commander";
import type { Env } from "../options/environment.js";
import { type OptionFlags, resolveOptions } from "../options/resolve-options.js";
import type { ResolvedOptions } from "../schema/options.js";
import { register as registerDownstream } from "./downstream.js";
import { register as registerBuild } from "./build-commands.js";
import { register as registerDoctor } from "./doctor.js";
import { register as registerGuide } from "./guide.js";
import { register as registerLayerStore } from "./layer-store.js";
import { register as registerPlan } from "./plan-commands.js";
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

/** What the program gives each command's registration. */
export interface CliContext {
  /**
   * A command's action that takes the resolved options first, then commander's arguments
   * (positional arguments, the flags, the command). The options are resolved when the action runs
   * (a command that needs none, such as `stage`, never reads the config) and once per invocation.
   */
  withOptions<A extends unknown[]>(handler: (o: Readonly<ResolvedOptions>, ...args: A) => Promise<void> | void): (...args: A) => Promise<void>;
  /** The environment the CLI was started with: doctor checks the repository variables in it itself. */
  readonly env: Env;
}

/** The flags of a command that the resolver reads (commander's attribute names). */
const OPTION_FLAGS = ["config", "cache", "githubRepository", "githubApiUrl", "policy", "indexRoot"] as const satisfies readonly (keyof OptionFlags)[];

function cliContext(env: Env): CliContext {
  let resolved: Readonly<ResolvedOptions> | undefined;
  return {
    env,
    withOptions: (handler) => async (...args) => {
      // Commander passes the command last; its opts() are this command's flags.
      const flags = (args.at(-1) as Command).opts<Record<string, unknown>>();
      const given = Object.fromEntries(OPTION_FLAGS.flatMap((k) => (typeof flags[k] === "string" ? [[k, flags[k]]] : []))) as OptionFlags;
      resolved ??= resolveOptions(given, env);
      await handler(resolved, ...args);
    },
  };
}

/** The program; `env` is what the options are resolved from (main() passes the process's). */
export function createProgram(env: Env = {}): Command {
  const cli = cliContext(env);
  const program = new Command("mlir-release")
    .description("Build, verify, stage and publish MLIR Python binding wheels");
  // Each command registers itself here (one import and one entry each); the order is --help's.
  const releaseCommands = [registerPromote, registerStage, registerSite, registerSiteSync, registerPublish, registerPypiCollect, registerPrune, registerRestore];
  const registrations: Array<(p: Command, cli: CliContext) => void> = [registerBuild, ...releaseCommands, registerGuide, registerPlan, registerPlatforms, registerDoctor, registerDownstream, registerSetup, registerLayerStore, registerToolsWheel];
  for (const register of registrations) register(program, cli);
  return program;
}
