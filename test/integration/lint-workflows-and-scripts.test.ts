// actionlint, zizmor (offline) and shellcheck over the real files, with the pinned tools that
// ci/setup.d/50-dagger.sh installs. Zero findings; any ignore is justified inline where it applies.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TOOLS } from "../support/env.js";

const ROOT = resolve(import.meta.dirname, "../..");
const TOOLS_BIN = join(TOOLS, "bin");

function tool(name: string, fallback?: string): string {
  const p = join(TOOLS_BIN, name);
  if (existsSync(p)) return p;
  if (fallback) return fallback;
  throw new Error(`${name} is not installed in ${TOOLS_BIN}: run 'bash ci/setup.sh' (ci/setup.d/50-dagger.sh installs it)`);
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const shellScripts = (): string[] =>
  execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.sh"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && existsSync(join(ROOT, f)));

describe("linters", () => {
  it("actionlint (with shellcheck on run: scripts) finds nothing in .github/workflows", () => {
    const r = run(tool("actionlint"), ["-shellcheck", "shellcheck", "-color=false"]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("actionlint does report a broken workflow (the check can fail)", () => {
    // stdin mode: a job on a retired runner label
    const bad = spawnSync(tool("actionlint"), ["-color=false", "-"], {
      cwd: ROOT,
      encoding: "utf8",
      input: "on: push\njobs:\n  a:\n    runs-on: macos-13\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n",
    });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/macos-13/);
  });

  it("zizmor --offline finds nothing in .github/workflows", () => {
    const r = run(tool("zizmor"), ["--offline", "--no-progress", ".github/workflows"]);
    expect(r.out).toMatch(/No findings to report/);
    expect(r.code).toBe(0);
  });

  it("zizmor does report an unpinned action, template injection and persisted credentials (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "zizmor-"));
    writeFileSync(
      join(dir, "bad.yml"),
      "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n    steps:\n" +
        "      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.issue.title }}\n",
    );
    const r = run(tool("zizmor"), ["--offline", "--no-progress", join(dir, "bad.yml")]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/unpinned-uses/);
    expect(r.out).toMatch(/template-injection/);
    expect(r.out).toMatch(/artipacked/);
  });

  it("shellcheck finds nothing in any of the repository's .sh files", () => {
    const files = shellScripts();
    expect(files).toEqual(expect.arrayContaining(["containers/refresh-image-pins.sh", "containers/provision/manylinux.sh", "containers/provision/node.sh", "ci/setup.sh"]));
    const r = run(tool("shellcheck", "shellcheck"), ["-x", "--format=gcc", ...files]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });
});
