// `mlir-release tools-wheel`: the self-contained `<distribution>-tools` wheel from a layer (src/wheels/tools-wheel.ts).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { InvalidInputError } from "../errors.js";
import { parseFlag } from "../schema/parse.js";
import { Pep440Version, PositiveIntText } from "../schema/strings.js";
import { existingDir } from "../util/paths.js";
import { buildToolsWheel, keptTargets, TOOLS_WHEEL_MAX_BYTES } from "../wheels/tools-wheel.js";

export function register(program: Command, cli: CliContext): void {
  program
    .command("tools-wheel")
    .description("Build the self-contained <distribution>-tools wheel (mlir-opt, mlir-translate, mlir-lsp-server, mlir-tblgen, FileCheck, not, count, split-file) from a layer, repaired by auditwheel; refused over the size limit")
    .requiredOption("--prefix <dir>", "the layer's install prefix (bin/, include/, lib/*.a)")
    .requiredOption("--version <pep440>", "the release's version")
    .requiredOption("--out <dir>", "where the repaired wheel goes (written only when every check passed)")
    .option("--distribution <name>", "distribution name (default: the config's)")
    .option("--plat <tag>", "auditwheel policy", "manylinux_2_36_x86_64")
    .option("--targets <list>", "LLVM targets to keep, as LLVM_TARGETS_TO_BUILD spells them (default: the config's layerCmakeOptions, host;NVPTX;AMDGPU); the layer's others are left out")
    .option("--max-mb <n>", `size limit in MB (default ${TOOLS_WHEEL_MAX_BYTES / 1e6})`)
    .option("--config <file>", "release config")
    .option("--cache <dir>", "scratch space (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)")
    .action(cli.withOptions(async (o, f: { prefix: string; version: string; out: string; distribution?: string; plat: string; targets?: string; maxMb?: string; config?: string; cache?: string }) => {
      const prefix = existingDir(f.prefix, "--prefix");
      if (!existsSync(join(prefix, "bin"))) throw new InvalidInputError(`--prefix ${f.prefix}: no bin/ folder; give a layer's install prefix`);
      const version = parseFlag(Pep440Version, f.version, "--version");
      if (!/^(manylinux|musllinux)_\d+_\d+_(x86_64|aarch64)$/.test(f.plat)) throw new InvalidInputError(`--plat '${f.plat}': expected a policy such as manylinux_2_36_x86_64`);
      const maxBytes = f.maxMb === undefined ? TOOLS_WHEEL_MAX_BYTES : Number(parseFlag(PositiveIntText, f.maxMb, "--max-mb")) * 1e6;
      const targetsSpec = f.targets ?? o.config.layerCmakeOptions["LLVM_TARGETS_TO_BUILD"] ?? "all";
      const keepTargets = keptTargets(targetsSpec, f.plat.replace(/^.*_(x86_64|aarch64)$/, "$1"));
      const out = resolve(f.out);
      if (existsSync(out) && readdirSync(out).some((n) => n.endsWith(".whl") && n.includes("_tools-"))) throw new InvalidInputError(`--out ${f.out}: already holds a tools wheel; give a fresh folder`);
      mkdirSync(join(o.cacheDir, "tools-wheel"), { recursive: true });
      const work = mkdtempSync(join(o.cacheDir, "tools-wheel", "work-"));
      try {
        const r = await buildToolsWheel(
          { prefix, distribution: f.distribution ?? o.config.distribution, version, keepTargets, workDir: work, toolsBin: join(o.toolsDir, "bin"), plat: f.plat, sourceDateEpoch: 1795478400, maxBytes, log: (l) => process.stderr.write(`${l}\n`) },
          o.repoRoot,
        );
        mkdirSync(out, { recursive: true });
        renameSync(r.path, join(out, r.fileName));
        process.stdout.write(`${JSON.stringify({ wheel: join(out, r.fileName), bytes: r.size, linkSeconds: Math.round(r.linkSeconds), prunedNeeded: r.pruned, droppedTargets: r.droppedTargets }, null, 2)}\n`);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }));
}
