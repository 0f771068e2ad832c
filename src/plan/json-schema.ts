// schema/manifest.schema.json is generated from the zod schema (src/schema/manifest.ts), for downstream
// tools that validate manifests without TypeScript. Regenerate: npx tsx src/plan/json-schema.ts --write
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "../options/resolve-options.js";
import { manifestJsonSchema } from "../schema/manifest.js";

export const MANIFEST_SCHEMA_PATH = "schema/manifest.schema.json";

export function manifestSchemaText(): string {
  const schema = manifestJsonSchema() as Record<string, unknown>;
  return `${JSON.stringify({ $id: "mlir-release/manifest.schema.json", title: "mlir-release ReleaseManifest", ...schema }, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv.includes("--write")) {
  const path = join(REPO_ROOT, MANIFEST_SCHEMA_PATH);
  writeFileSync(path, manifestSchemaText());
  process.stdout.write(`wrote ${path}\n`);
}
