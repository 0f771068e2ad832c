// The provisioning scripts that run inside the manylinux images, run here for real: node.sh
// installs a tarball only with the lock's sha256; manylinux.sh checks the compiler, finds ccache,
// maps an /opt/python-shaped tree to versions and builds the pinned tools venv (real pip installs).
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { venvKey } from "../../src/platforms/platform-plan.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PROVISION = join(ROOT, "containers/provision");
const sh = (script: string, args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync("bash", [join(PROVISION, script), ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 480_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe("node.sh", () => {
  let tarball: string;
  let digest: string;
  beforeAll(() => {
    const d = mkdtempSync(join(tmpdir(), "node-dist-"));
    const top = join(d, "node-v20.19.5-linux-x64");
    mkdirSync(join(top, "bin"), { recursive: true });
    writeFileSync(join(top, "bin/node"), "#!/bin/sh\necho v20.19.5\n");
    chmodSync(join(top, "bin/node"), 0o755);
    tarball = join(d, "node.tar.xz");
    execFileSync("tar", ["-cJf", tarball, "-C", d, "node-v20.19.5-linux-x64"]);
    digest = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  });

  it("installs the tarball whose sha256 the lock names, once", () => {
    const prefix = join(mkdtempSync(join(tmpdir(), "node-prefix-")), "node");
    const r = sh("node.sh", [tarball, digest, prefix]);
    expect(r.code, r.out).toBe(0);
    expect(execFileSync(join(prefix, "bin/node")).toString().trim()).toBe("v20.19.5");
    expect(r.out).toMatch(/node v20\.19\.5 in /);
    expect(sh("node.sh", [tarball, digest, prefix]).out).toMatch(/already installed/);
  });

  it("refuses a tarball with another digest and says both", () => {
    const prefix = join(mkdtempSync(join(tmpdir(), "node-prefix-")), "node");
    const wrong = "0".repeat(64);
    const r = sh("node.sh", [tarball, wrong, prefix]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`has sha256 ${digest}, the lock says ${wrong}`);
    expect(existsSync(join(prefix, "bin/node"))).toBe(false);
    expect(sh("node.sh", [tarball, "abc", prefix]).out).toMatch(/not 64 hex/);
  });
});

describe("manylinux.sh", () => {
  /** The newest pyenv CPython X.Y.* on this machine (the card's machine has 3.6-3.13). */
  const pyenvPrefix = (base: string) => {
    const found = execFileSync("pyenv", ["versions", "--bare"]).toString().split("\n").filter((v) => new RegExp(`^${base.replace(".", "\\.")}\\.\\d+$`).test(v));
    const newest = found.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop();
    if (!newest) throw new Error(`no pyenv CPython ${base}.* on this machine (pyenv install ${base})`);
    return execFileSync("pyenv", ["prefix", newest]).toString().trim();
  };
  let pythonRoot: string;
  beforeAll(() => {
    // /opt/python's shape (cpXY-cpXY/bin/python) over this machine's CPythons.
    pythonRoot = mkdtempSync(join(tmpdir(), "opt-python-"));
    for (const [tag, v] of [["cp311-cp311", "3.11"], ["cp312-cp312", "3.12"]] as const) symlinkSync(pyenvPrefix(v), join(pythonRoot, tag));
  });

  it("rejects a Python the image does not carry, naming the ones it does", () => {
    const r = sh("manylinux.sh", [], { NANOBIND_VERSION: "2.9.2", PYTHON_ROOT: pythonRoot, PYTHONS: "3.11 3.13t", TOOLS_DIR: join(tmpdir(), "unused-tools") });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/CPython 3\.13t is not in .* \(have: .*3\.11.*\)/);
  });

  it("requires the nanobind pin, and the one requirements/build.txt pins", () => {
    const r = sh("manylinux.sh", [], { NANOBIND_VERSION: "", PYTHON_ROOT: pythonRoot });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/NANOBIND_VERSION/);
    const other = sh("manylinux.sh", [], { NANOBIND_VERSION: "2.8.0", PYTHON_ROOT: pythonRoot });
    expect(other.code).not.toBe(0);
    expect(other.out).toMatch(/NANOBIND_VERSION 2\.8\.0 differs from requirements\/build\.txt's nanobind==2\.9\.2/);
  });

  it("builds the tools venv from CPython 3.12 and the hashed tools-linux.txt, with setup's stamp", () => {
    // Kept under .cache so a second run is a stamp check, not a reinstall.
    const tools = join(ROOT, ".cache", "test-provision-tools");
    const r = sh("manylinux.sh", [], { NANOBIND_VERSION: "2.9.2", PYTHON_ROOT: pythonRoot, PYTHONS: "3.11 3.12", TOOLS_DIR: tools });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/g\+\+ \d+/);
    expect(r.out).toMatch(/ccache version/);
    expect(r.out).toMatch(/CPythons: .*3\.12/);
    expect(r.out).toMatch(/tools venv .*: 1\.13\.2\S* ninja, cmake version 3\.31\.6/);
    const frozen = execFileSync(join(tools, "bin/python"), ["-m", "pip", "freeze"]).toString();
    for (const pin of ["auditwheel==6.8.2", "lit==23.1.5", "check-wheel-contents==0.6.3", "cmake==3.31.6"]) expect(frozen).toContain(pin);
    expect(readFileSync(join(tools, "pyvenv.cfg"), "utf8")).toMatch(/version\s*=\s*3\.12\./);
    // The stamp `mlir-release setup` checks: the CLI's provisioning steps are then up to date in the image.
    const req = join(PROVISION, "requirements", "tools-linux.txt");
    const digest = createHash("sha256").update(readFileSync(req)).digest("hex");
    expect(readFileSync(join(tools, ".mlir-release-requirements"), "utf8")).toBe(venvKey(digest, join(pythonRoot, "cp312-cp312", "bin", "python")));
  }, 600_000);
});
