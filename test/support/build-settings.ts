// BuildSettings as `build` resolves them: the options from the same flags and an environment (this
// process's by default), then the settings (src/cli/build-commands.ts); what the program does once per command.
import { type BuildFlags, defaultBuildSettings, resolveBuildSettings } from "../../src/cli/build-commands.js";
import type { BuildSettings } from "../../src/factory/factory.js";
import { resolveOptions } from "../../src/options/resolve-options.js";

type Env = Readonly<Record<string, string | undefined>>;

/** `build`'s defaults with these flags. */
export const buildSettings = (flags: Partial<BuildFlags> & Pick<BuildFlags, "out">, env: Env = process.env): BuildSettings =>
  defaultBuildSettings(resolveOptions(flags, env), flags);

/** Exactly these flags. */
export const buildSettingsOf = (flags: BuildFlags, env: Env = process.env): BuildSettings => resolveBuildSettings(resolveOptions(flags, env), flags);
