// `mlir-release layer-store push`: the workflow's `layers` job (trusted runs only) adds the layer
// archives a build left in its local store (<cache>/layer-artifacts, handed on as an artifact) to the
// GitHub layer store (release `layers`). Builds read the store with MLIR_RELEASE_LAYER_STORE=github.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { pushLayers } from "../layer/github-store.js";
import type { OptionFlags } from "../options/resolve-options.js";
import { githubFlags, githubTarget } from "./github-flags.js";
import { InvalidInputError } from "../errors.js";
import { existingDir } from "../util/paths.js";

type LayerStorePushFlags = Pick<OptionFlags, "config" | "githubRepository" | "githubApiUrl"> & { from: string };

export function register(program: Command, cli: CliContext): void {
  const store = program.command("layer-store").description("The LLVM layer store on GitHub Releases (release `layers`)");
  githubFlags(store.command("push"), "repository whose `layers` release is the store (default: publish.github's)")
    .description("Upload the layer archives of a local store directory (each checked against its sha256 record) to the layers release")
    .requiredOption("--from <dir>", "directory with mlir-release-layer-<key>.tar.zst and its .json record (a build's <cache>/layer-artifacts)")
    .option("--config <file>", "release.config.json")
    .action(cli.withOptions(async (o, f: LayerStorePushFlags) => {
      const target = githubTarget(o, "layer-store push to");
      if (!target) throw new InvalidInputError("layer-store push: no --github-repository and no publish.github in the config");
      const { token, owner, repo, apiUrl } = target;
      // No folder (no layer artifact was handed on: every layer was restored or prebuilt) is nothing to push.
      const from = existsSync(f.from) ? existingDir(f.from, "--from") : f.from;
      const results = await pushLayers(from, { token, owner, repo, ...(apiUrl ? { apiUrl } : {}) }, (l) => process.stderr.write(`${l}\n`));
      for (const r of results) process.stdout.write(`${r.action}  ${r.key}\n`);
      if (!results.length) process.stdout.write("nothing to push\n");
    }));
}
