// `mlir-release stage`: a release directory (artifacts, manifest.json, SHA256SUMS, notes) after checking every file.
import { resolve } from "node:path";
import type { Command } from "commander";
import { readManifestFile, writeStage } from "../stage/stage.js";

export function register(program: Command): void {
  program
    .command("stage")
    .description("Stage a release directory (artifacts, manifest.json, SHA256SUMS, RELEASE_NOTES.md) after checking every file")
    .requiredOption("--manifest <file...>", "manifest(s) of the release (one per platform build is fine)")
    .requiredOption("--artifacts <dir>", "directory holding the files the manifests list")
    .requiredOption("--out <dir>", "stage directory to create")
    .option("--previous <manifest>", "manifest of the previous release of the same kind (for the notes' commit range)")
    .action(async (o: { manifest: string[]; artifacts: string; out: string; previous?: string }) => {
      const r = await writeStage({
        manifests: o.manifest.map(readManifestFile),
        artifactsDir: resolve(o.artifacts),
        outDir: resolve(o.out),
        ...(o.previous ? { previous: readManifestFile(o.previous) } : {}),
      });
      process.stdout.write(`${r.reused ? "already staged" : "staged"} ${r.manifest.plan.version}: ${r.manifest.artifacts.length} artifacts in ${r.dir}\n`);
    });
}
