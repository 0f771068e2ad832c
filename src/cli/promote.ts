// `mlir-release promote`: re-version an earlier release whose build inputs equal the numbered plan's.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { CliContext } from "./program.js";
import { InvalidInputError } from "../errors.js";
import { HostEnv } from "../exec/host.js";
import { writeManifest } from "../plan/manifest.js";
import { ConsoleProgress } from "../progress.js";
import { promoteRelease, promotionBlockers, verifyPromoted } from "../rebuild/promote.js";
import { parseOrExplain } from "../schema/parse.js";
import { ReleasePlan } from "../schema/release-plan.js";
import { ReleaseVersionText } from "../schema/strings.js";
import { readManifestFile } from "../stage/stage.js";
import { freshDir, newDir, refusalLeavesNothing } from "../util/fresh-dir.js";
import { hostPlatform } from "./host-platform.js";

/** `promote`: re-version an earlier release whose build inputs equal the numbered plan's. */
export function register(program: Command, cli: CliContext): void {
  program
    .command("promote")
    .description(
      "Promote an earlier release to a numbered version instead of rebuilding it: re-version its wheels (dist-info, METADATA, RECORD, _release_info), " +
        "re-zip deterministically, verify (install, smoke, lit) and write a manifest recording where it came from",
    )
    .requiredOption("--manifest <file>", "manifest.json of the earlier release")
    .requiredOption("--artifacts <dir>", "folder holding the earlier release's wheels")
    .requiredOption("--out <dir>", "fresh folder for the promoted wheels and manifest.json")
    .option("--plan <file>", "the numbered release's plan: refused unless its build inputs equal the earlier release's (its version and tag are used)")
    .option("--version <v>", "the new version (e.g. 22.1.8.post1); default: the plan's")
    .option("--tag <tag>", "the LLVM tag the version stands for (default: the plan's)")
    .option("--no-verify", "skip install, smoke and lit")
    .option("--no-lit", "skip upstream's lit suite")
    .option("--cache <dir>", "sources, trees, venvs (default: $MLIR_RELEASE_CACHE, else <repo>/.cache)")
    .action(cli.withOptions(async (opts, o: { manifest: string; artifacts: string; out: string; plan?: string; version?: string; tag?: string; verify: boolean; lit: boolean; cache?: string }) => {
      const earlier = readManifestFile(resolve(o.manifest));
      let version = o.version;
      let tag = o.tag;
      if (o.plan) {
        const plan = parseOrExplain(ReleasePlan, JSON.parse(readFileSync(resolve(o.plan), "utf8")), `plan ${o.plan}`);
        const blockers = promotionBlockers(earlier.plan, plan);
        if (blockers.length) throw new InvalidInputError(`promote: ${plan.version} cannot be promoted from ${earlier.plan.version}; build it instead:\n${blockers.map((b) => `  - ${b}`).join("\n")}`);
        version ??= plan.version;
        tag ??= plan.llvm.tag;
      }
      if (!version) throw new InvalidInputError("promote: give --version or --plan");
      const v = parseOrExplain(ReleaseVersionText, version, "--version");
      const outDir = resolve(o.out);
      if (existsSync(outDir) && readdirSync(outDir).length) throw new InvalidInputError(`promote: --out ${o.out} is not empty`);
      // --out and the work folder are taken back when promoting refuses the earlier release's files.
      const out = newDir(outDir);
      const work = freshDir(opts.cacheDir, "promote-");
      await refusalLeavesNothing([out, work], async () => {
        const r = await promoteRelease({ earlier, artifactsDir: resolve(o.artifacts), version: v, ...(tag ? { tag } : {}), outDir: out.path() });
        for (const w of r.wheels) process.stderr.write(`promoted ${w.from} → ${w.fileName} (changed: ${w.changed.join(", ")})\n`);
        for (const l of r.left) process.stderr.write(`not carried over: ${l.fileName}: ${l.reason}\n`);
        let manifest = r.manifest;
        if (o.verify) {
          const workDir = work.path();
          const env = new HostEnv(join(workDir, "logs", "promote.log"));
          manifest = await verifyPromoted(r, { repoRoot: opts.repoRoot, cacheDir: opts.cacheDir, workDir, outDir, toolsDir: opts.toolsDir, lit: o.lit, host: opts.host }, env, new ConsoleProgress(), hostPlatform());
        }
        process.stdout.write(`manifest: ${writeManifest(outDir, manifest)}\n`);
      });
    }));
}
