// The card's rule, asserted over the tracked files: nothing names a package registry's, container
// registry's or download site's host. Registry and download hosts are inputs (environment variables,
// apt config), and examples use placeholders (example.org, 127.0.0.1). package-lock.json is npm's
// own record of where each tarball came from and is left as npm writes it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

// Built from parts so this file does not itself contain the hosts (or bare names) it looks for.
const dot = "\\.";
const PYHOSTED = ["python", "hosted"].join("");
const CONDA_VENDOR = ["ana", "conda"].join("");
const HOSTS = [
  ["quay", "io"],
  ["docker", "io"],
  ["ghcr", "io"],
  ["registry", "npmjs"],
  ["npmjs", "(org|com)"],
  ["pypi", "org"],
  [PYHOSTED],
  ["files", PYHOSTED],
  ["deb", "debian"],
  ["nodejs", "org"],
  [CONDA_VENDOR],
  ["prefix", "dev"],
  ["registry-1", "docker"],
  ["index", "docker"],
].map((parts) => parts.join(dot));
export const REGISTRY_HOST = new RegExp(`(${HOSTS.join("|")})`, "i");

const SKIP = new Set(["package-lock.json"]);

/** file:line: text for every line naming a registry host; binary content (a NUL byte) is skipped. */
export function offendingLines(file: string, content: Buffer): string[] {
  if (content.includes(0)) return [];
  return content
    .toString("utf8")
    .split("\n")
    .flatMap((line, i) => (REGISTRY_HOST.test(line) ? [`${file}:${i + 1}: ${line.trim().slice(0, 160)}`] : []));
}

describe("no registry or download host in the repository", () => {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT }).toString().split("\0").filter((f) => f && !SKIP.has(f));

  it("the scanner flags each known host and passes placeholders", () => {
    const host = (parts: string[]) => parts.join(".");
    for (const h of [
      host(["quay", "io"]),
      host(["registry-1", "docker", "io"]),
      host(["index", "docker", "io"]),
      host(["files", PYHOSTED, "org"]),
      host(["unofficial-builds", "nodejs", "org"]),
      host(["deb", "debian", "org"]),
      host(["registry", "npmjs", "org"]),
      host(["conda", CONDA_VENDOR, "org"]),
    ]) {
      expect(offendingLines("x.json", Buffer.from(`{\n  "url": "https://${h}/pkg"\n}\n`)), h).toEqual([`x.json:2: "url": "https://${h}/pkg"`]);
    }
    expect(offendingLines("x.ts", Buffer.from("registry.example.org/pypa/manylinux2014_x86_64\nhttp://127.0.0.1:5000/\n"))).toEqual([]);
    expect(offendingLines("x.bin", Buffer.from([0x71, 0x75, 0x61, 0x79, 0x2e, 0x69, 0x6f, 0x00]))).toEqual([]);
  });

  it("finds none in any tracked text file", () => {
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const f of files) {
      let content: Buffer;
      try {
        content = readFileSync(join(ROOT, f));
      } catch {
        continue; // deleted in the work tree, or a submodule/directory entry
      }
      offenders.push(...offendingLines(f, content));
    }
    expect(offenders).toEqual([]);
  });
});
