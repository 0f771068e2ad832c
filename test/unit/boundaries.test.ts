// The configuration and effects boundaries of src/ (issue 28 item 2), counted on the source text so
// they stay: the environment is read by the options resolver and the step runner, not by the stages;
// execa only in exec/; sha256 and file locks each written once in util/; the CLI resolves options once.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");
const FILES = readdirSync(SRC, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
  .sort();

/** `file:line: text` of every code line (comments left out) matching re in the files outside `allowed`. */
function linesMatching(re: RegExp, allowed: (file: string) => boolean): string[] {
  return FILES.filter((f) => !allowed(f)).flatMap((f) =>
    readFileSync(join(SRC, f), "utf8")
      .split("\n")
      .flatMap((line, i) => (!/^\s*(\*|\/\/|\/\*)/.test(line) && re.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
  );
}

const under = (...dirs: string[]) => (f: string): boolean => dirs.some((d) => f.startsWith(`${d}/`));

describe("one configuration boundary", () => {
  it("process.env is read in at most 4 places outside options/ and exec/", () => {
    const reads = linesMatching(/\bprocess\.env\b/, under("options", "exec"));
    expect(reads.length, reads.join("\n")).toBeLessThanOrEqual(4);
  });

  it("the CLI resolves the options once, in the program, for every command", () => {
    const calls = linesMatching(/\bresolveOptions\(/, (f) => !f.startsWith("cli/") && f !== "cli.ts");
    expect(calls.map((c) => c.split(":")[0])).toEqual(["cli/program.ts"]);
  });
});

describe("one effects boundary", () => {
  it("execa is imported in exec/ only", () => {
    expect(linesMatching(/from\s+["']execa["']/, under("exec"))).toEqual([]);
  });

  it("sha256 is computed in util/hash.ts only", () => {
    expect(linesMatching(/createHash\(|from\s+["']node:crypto["']/, (f) => f === "util/hash.ts")).toEqual([]);
  });

  it("file locks are taken in util/lock.ts only", () => {
    expect(linesMatching(/from\s+["']proper-lockfile["']/, (f) => f === "util/lock.ts")).toEqual([]);
  });
});
