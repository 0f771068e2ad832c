// The TypeScript files of src/ (declarations left out), sorted, relative to src/: what the
// structure tests (code limits, programs in strings) read.
import { readdirSync } from "node:fs";
import { join } from "node:path";

export const SRC = join(import.meta.dirname, "..", "..", "src");

export const srcFiles = (): string[] =>
  readdirSync(SRC, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort();
