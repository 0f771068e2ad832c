// `mlir-release pypi-collect`: the staged files PyPI lacks, copied out for the upload action.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { InvalidInputError } from "../errors.js";
import { collectForPypi } from "../publish/pypi.js";
import { parseOrExplain } from "../schema/parse.js";
import { HttpUrl } from "../schema/strings.js";
import { loadStage } from "../stage/stage.js";

export function register(program: Command, cli: CliContext): void {
  program
    .command("pypi-collect")
    .description("Copy the staged files PyPI lacks into --out (the upload action's packages-dir): the config's PyPI file filter and size limit, then each file compared by sha256 with the index's PEP 691 listing; other bytes under a name fail naming the file")
    .requiredOption("--stage <dir>", "stage directory made by `stage` (every file is checked against its manifest)")
    .requiredOption("--out <dir>", "folder to copy the files to upload into")
    .option("--config <file>", "release.config.json (publish.pypi)")
    .option("--simple-url <url>", "simple API root to compare with (default: publish.pypi.simpleUrl, else <repositoryUrl>/simple/)")
    .action(cli.withOptions(async (opts, o: { stage: string; out: string; config?: string; simpleUrl?: string }) => {
      const config = opts.config;
      // The file rule comes from publish.pypi when configured, else its defaults (release wheels, 100 MiB);
      // CI passes the index as --simple-url (a repository variable), so the repository names no host.
      const p = config.publish.pypi;
      const simpleUrl = o.simpleUrl
        ? parseOrExplain(HttpUrl, o.simpleUrl, "--simple-url")
        : p
          ? (p.simpleUrl ?? `${p.repositoryUrl.replace(/\/$/, "")}/simple/`)
          : undefined;
      if (!simpleUrl) throw new InvalidInputError("pypi-collect: no index to compare with: pass --simple-url (on CI: the PYPI_SIMPLE_URL repository variable) or set publish.pypi in the config");
      if (!existsSync(resolve(o.stage))) throw new InvalidInputError(`--stage ${o.stage} does not exist`);
      const rule = p ? { include: p.include, maxFileBytes: p.maxFileBytes } : {};
      const r = await collectForPypi(await loadStage(resolve(o.stage)), { simpleUrl, outDir: resolve(o.out), rule });
      for (const s of r.skipped) process.stderr.write(`pypi-collect: not for PyPI: ${s.file}: ${s.reason}\n`);
      for (const f of r.present) process.stderr.write(`pypi-collect: already on the index with the same sha256: ${f}\n`);
      for (const f of r.upload) process.stderr.write(`pypi-collect: to upload: ${f}\n`);
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    }));
}
