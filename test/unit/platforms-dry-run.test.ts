// `build --dry-run`: every platform resolves on this machine, through the real CLI.
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { dryRunPlans } from "../../src/platforms/dry-run.js";

const REPO = join(import.meta.dirname, "..", "..");
const FIXTURE_22 = join(REPO, "test", "fixtures", "llvm-trees", "llvm-22.1.8");
const base = {
  pythons: ["3.11", "3.12"],
  distribution: "mlir-python-bindings",
  nanobind: "2.9.2",
  nanobindDomain: "mlir_release",
  repoRoot: REPO,
  workDir: "/tmp/w",
  toolsBin: "/opt/mlir-release-tools/bin",
  sourceRoot: FIXTURE_22,
};

describe("dry run", () => {
  it("resolves all seven platform variants with a repair step and a tag of their own", () => {
    const plans = dryRunPlans({ ...base, platform: "all" });
    expect(plans.map((p) => `${p.platform}${p.policy ? `:${p.policy}` : ""}`)).toHaveLength(7);
    const tags = new Set(plans.flatMap((p) => p.builds.map((b) => b.tag.split("-")[2])));
    expect([...tags].sort()).toEqual([
      "macosx_11_0_arm64",
      "macosx_11_0_x86_64",
      "manylinux_2_17_aarch64.manylinux2014_aarch64",
      "manylinux_2_17_x86_64.manylinux2014_x86_64",
      "manylinux_2_28_aarch64",
      "manylinux_2_28_x86_64",
      "win_amd64",
    ]);
    for (const p of plans) {
      expect(p.builds.length, p.platform).toBeGreaterThan(0);
      for (const b of p.builds) expect(b.commands.at(-1)?.[0], `${p.platform} ${b.python}`).toMatch(/(auditwheel|delocate-wheel|delvewheel\.exe)$/);
    }
    // Linux images are named by lock key and pinned from containers/images.lock.json.
    const aarch = plans.find((p) => p.platform === "linux-aarch64" && p.policy === "manylinux2014");
    expect(aarch?.runner.image).toBe("manylinux2014_aarch64");
    expect(aarch?.runner.imagePin).toMatch(/@sha256:[0-9a-f]{64}/);
  });

  it("rejects an unknown platform and a policy on a non-Linux platform, naming the input", () => {
    expect(() => dryRunPlans({ ...base, platform: "linux-riscv64" })).toThrow(/--platform 'linux-riscv64'/);
    expect(() => dryRunPlans({ ...base, platform: "windows-x64", policy: "manylinux2014" })).toThrow(/only Linux/);
  });

  it("prints the plan through the CLI: commands, env, cache entries, tags", async () => {
    const r = await execa("node", [join(REPO, "bin", "mlir-release.mjs"), "build", "--dry-run", "--platform", "macos-arm64", "--python", "3.12", "--source", `dir:${FIXTURE_22}`], {
      cwd: REPO,
    });
    expect(r.stdout).toContain("== macos-arm64: runner macos-14");
    expect(r.stdout).toContain("env: MACOSX_DEPLOYMENT_TARGET=11.0");
    expect(r.stdout).toContain("CMAKE_OSX_ARCHITECTURES=arm64");
    expect(r.stdout).toContain("-- mlir_python_bindings-22.1.8-cp312-cp312-macosx_11_0_arm64.whl");
    expect(r.stdout).toMatch(/delocate-wheel"? --require-archs arm64 --require-target-macos-version 11\.0/);
    expect(r.stdout).toContain("-- mlir_python_bindings-22.1.8-cp313-cp313t-macosx_11_0_arm64.whl");
  });

  it("lists the CI jobs as JSON for the workflows (mlir-release platforms)", async () => {
    const r = await execa("node", [join(REPO, "bin", "mlir-release.mjs"), "platforms", "--json", "--python", "3.12", "--llvm-tree", FIXTURE_22, "--mlir-cmake-dir", "/nonexistent"], { cwd: REPO });
    const jobs = JSON.parse(r.stdout) as Array<{ name: string; runsOn: string; pythons: string[] }>;
    expect(jobs.map((j) => j.name)).toContain("linux-aarch64-manylinux2014");
    expect(jobs.find((j) => j.name === "macos-arm64")).toMatchObject({ runsOn: "macos-14", pythons: ["3.12", "3.13t", "3.14t", "3.15t"] });
  });
});
