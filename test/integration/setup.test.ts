// `mlir-release setup` for real: an empty tools dir gets a venv installed with pip --require-hashes
// from a hashed requirements file (here lit's block, hashes and all, cut from the committed
// tools-linux.txt so the test stays small), a rerun is up to date, and a tampered hash is refused
// with a one-line error, leaving no stamp behind.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/env.js";

const tmp = mkdtempSync(join(tmpdir(), "setup-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One package's block (its `name==version \` line and its `--hash` lines) from a compiled file. */
function block(text: string, name: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`${name}==`));
  if (start < 0) throw new Error(`${name} is not pinned in the file`);
  const out = [lines[start]!];
  for (const l of lines.slice(start + 1)) {
    if (!/^\s+--hash=/.test(l)) break;
    out.push(l);
  }
  return `${out.join("\n").replace(/\s*\\$/, "")}\n`;
}

const setup = (tools: string, requirements: string) =>
  execa("node", [join(REPO, "bin", "mlir-release.mjs"), "setup", "--requirements", requirements, "--work", join(tmp, "work")], {
    cwd: REPO,
    env: { MLIR_RELEASE_TOOLS: tools },
    reject: false,
  });

describe("mlir-release setup", () => {
  const compiled = readFileSync(join(REPO, "containers", "provision", "requirements", "tools-linux.txt"), "utf8");
  const lit = block(compiled, "lit");

  it("creates the tools venv in an empty dir from the hashed file, checks the compiler, and is then up to date", async () => {
    const tools = join(tmp, "tools");
    const req = join(tmp, "lit.txt");
    writeFileSync(req, lit);
    expect(lit).toMatch(/^lit==23\.1\.5 \\\n\s+--hash=sha256:[0-9a-f]{64}/);
    const r = await setup(tools, req);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/provision\/tools-venv: ran/);
    expect(r.stdout).toMatch(/provision\/tools-install: ran/);
    expect(r.stdout).toMatch(/provision\/check-toolchain-1: ran/);
    const version = await execa(join(tools, "bin", "lit"), ["--version"]);
    expect(version.stdout).toMatch(/lit 23\.1\.5/);
    const log = readFileSync(join(tmp, "work", "logs", "setup-linux-x86_64.log"), "utf8");
    expect(log).toContain(`--require-hashes --no-deps -r ${req}`);
    const again = await setup(tools, req);
    expect(again.stdout).toMatch(/provision\/tools-venv: up to date/);
    expect(again.stdout).toMatch(/provision\/tools-install: up to date/);
  }, 120_000);

  it("refuses a package whose hash was tampered with: one-line error, exit 3 (a failed check), no stamp", async () => {
    const tools = join(tmp, "tampered");
    const req = join(tmp, "lit-tampered.txt");
    writeFileSync(req, lit.replace(/--hash=sha256:[0-9a-f]{64}/g, `--hash=sha256:${"0".repeat(64)}`));
    const r = await setup(tools, req);
    expect(r.exitCode).toBe(3);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${req}: pip --require-hashes refused a package whose sha256 is not the pinned one`);
    expect(existsSync(join(tools, ".mlir-release-requirements"))).toBe(false);
    expect(existsSync(join(tools, "bin", "lit"))).toBe(false);
  }, 120_000);

  it("names a missing requirements file", async () => {
    const r = await setup(join(tmp, "none"), join(tmp, "missing.txt"));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/requirements file .*missing\.txt does not exist/);
  });
});
