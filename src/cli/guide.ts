// `mlir-release guide <manifest>`: the downstream guide of one release, from its manifest.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { ReleaseManifest } from "../schema/manifest.js";
import { parseFlag } from "../schema/parse.js";
import { HttpUrl } from "../schema/strings.js";
import { readJsonAs } from "../util/json-input.js";
import { writableFileIn } from "../util/paths.js";
import { downstreamGuide } from "../dev/guide.js";

export function register(program: Command): void {
  program
    .command("guide")
    .description("print the 'build your extension against release X' guide generated from a manifest")
    .argument("<manifest>", "a release's manifest.json")
    .option("--index-url <url>", "the PEP 503 index root the release is served from")
    .option("--download-url <url>", "the folder the release's files are downloaded from")
    .option("--out <file>", "write Markdown here instead of stdout")
    .action((file: string, f: { indexUrl?: string; downloadUrl?: string; out?: string }) => {
      const manifest = readJsonAs(ReleaseManifest, file, "manifest");
      if (f.indexUrl !== undefined) parseFlag(HttpUrl, f.indexUrl, "--index-url");
      if (f.downloadUrl !== undefined) parseFlag(HttpUrl, f.downloadUrl, "--download-url");
      if (f.out !== undefined) writableFileIn(f.out, "--out");
      const md = downstreamGuide(manifest, {
        ...(f.indexUrl ? { indexUrl: f.indexUrl } : {}),
        ...(f.downloadUrl ? { downloadUrl: f.downloadUrl } : {}),
      });
      if (f.out) writeFileSync(f.out, md);
      else process.stdout.write(md);
    });
}
