// `build --dry-run`: every platform resolves on this machine, through the real CLI (its main, in this process).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localChecks } from "../../src/doctor/doctor.js";
import { dryRunPlans } from "../../src/platforms/dry-run.js";
import { loadImagesLock } from "../../src/platforms/images.js";
import { runCliOk } from "../support/cli-inprocess.js";
import { makeLlvmFixture, type LlvmFixture } from "../support/llvm-git-fixture.js";

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
    const r = await runCliOk(["build", "--dry-run", "--platform", "macos-arm64", "--python", "3.12", "--source", `dir:${FIXTURE_22}`], { cwd: REPO });
    expect(r.stdout).toContain("== macos-arm64: runner macos-14");
    expect(r.stdout).toContain("env: MACOSX_DEPLOYMENT_TARGET=11.0");
    expect(r.stdout).toContain("CMAKE_OSX_ARCHITECTURES=arm64");
    expect(r.stdout).toContain("-- mlir_python_bindings-22.1.8-cp312-cp312-macosx_11_0_arm64.whl");
    expect(r.stdout).toMatch(/delocate-wheel"? --require-archs arm64 --require-target-macos-version 11\.0/);
    expect(r.stdout).toContain("-- mlir_python_bindings-22.1.8-cp313-cp313t-macosx_11_0_arm64.whl");
  });

  it("lists the CI jobs as JSON for the workflows (mlir-release platforms)", async () => {
    const r = await runCliOk(["platforms", "--json", "--python", "3.12", "--llvm-tree", FIXTURE_22, "--mlir-cmake-dir", "/nonexistent"], { cwd: REPO });
    const jobs = JSON.parse(r.stdout) as Array<{ name: string; runsOn: string; pythons: string[] }>;
    expect(jobs.map((j) => j.name)).toContain("linux-aarch64-manylinux2014");
    expect(jobs.find((j) => j.name === "macos-arm64")).toMatchObject({ runsOn: "macos-14", pythons: ["3.12", "3.13t", "3.14t", "3.15t"] });
  });
});

// Issue 29 item 4: `build --dry-run --plan p.json --platform all` with a plan made by `plan --repo <local git repo>`
// showed the plan's version only on linux-x86_64, the public remote without a word of the local repository,
// "no pin yet" for an image the lock (and doctor) has pinned, and no summary in 1,512 lines.
describe("dry run of a real plan: what CI builds, summary first", () => {
  let fx: LlvmFixture;
  let tmp: string;
  let plan: { version: string; llvm: { version: string }; source: { repository: string; commit: string }; images: Record<string, string>; matrix: { platform: string; python: string }[] };
  let out: string;
  const cli = (args: string[]) => runCliOk(args, { cwd: REPO, env: { MLIR_RELEASE_AARCH64_CROSS: undefined } });
  beforeAll(async () => {
    fx = await makeLlvmFixture();
    tmp = mkdtempSync(join(tmpdir(), "dry-run-plan-"));
    const file = join(tmp, "p.json");
    await cli(["plan", "--kind", "numbered", "--ref", "llvmorg-22.1.0", "--repo", fx.dir, "--cache", join(tmp, "cache"), "--out", file]);
    plan = JSON.parse(readFileSync(file, "utf8")) as typeof plan;
    out = (await cli(["build", "--dry-run", "--plan", file, "--platform", "all", "--cache", join(tmp, "cache")])).stdout;
  }, 120_000);
  afterAll(() => {
    rmSync(fx.dir, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });
  const details = (): string => out.slice(out.indexOf("\n== "));
  const summary = (): string => out.slice(0, out.indexOf("\n== "));

  it("the plan's version on every platform, and only the plan's platforms and Pythons", () => {
    expect(plan.version).toBe("22.1.0");
    const headers = [...details().matchAll(/^== ([^\s:]+)/gm)].map((m) => m[1]);
    expect(headers).toEqual([...new Set(plan.matrix.map((m) => m.platform))]);
    const wheels = [...details().matchAll(/^ {3}-- (\S+\.whl)/gm)].map((m) => m[1]!);
    expect(wheels).toHaveLength(plan.matrix.length + headers.length);
    for (const w of wheels) expect(w).toMatch(/^mlir_python_bindings(_native)?-22\.1\.0-/);
    expect(details()).not.toContain("22.1.8");
    expect(details()).toContain("MLIR_RELEASE_LLVM_VERSION=22.1.0");
  });

  it("the plan's source on every platform, and where the plan was selected when that is a local repository", () => {
    const sources = [...details().matchAll(/^ +in-process source: (.*)$/gm)].map((m) => m[1]);
    expect(sources).toHaveLength(new Set(plan.matrix.map((m) => m.platform)).size);
    for (const s of sources) expect(s).toBe(`git ${plan.source.repository} @ ${plan.source.commit.slice(0, 12)}`);
    expect(summary()).toContain(`source: git ${plan.source.repository} @ ${plan.source.commit.slice(0, 12)}\n`);
    expect(summary()).toContain(`source note: selected in git ${fx.dir} (a local repository); the build fetches ${plan.source.commit.slice(0, 12)} from ${plan.source.repository}, which must have it`);
  });

  it("every image doctor reports pinned is shown with its pin; the plan's pins are the ones shown", () => {
    const doctor = localChecks({ repoRoot: REPO, kind: "snapshot", env: {} }).checks.find((c) => c.item === "containers/images.lock.json");
    expect(doctor?.ok).toBe(true);
    expect(out).not.toMatch(/no pin/i);
    expect(Object.keys(plan.images)).toEqual(["linux-x86_64", "linux-aarch64"]);
    const lock = loadImagesLock(REPO);
    for (const [platform, pin] of Object.entries(plan.images)) {
      const key = pin.split("@")[0]!.split("/").pop()!;
      expect(lock.images[key], key).toBeDefined();
      expect(summary()).toContain(`image ${key}: ${pin} (the plan's pin)`);
      expect(details()).toMatch(new RegExp(`^== ${platform} \\[[^\\]]+\\]: runner [^,]+, image ${key} \\(${pin.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
    }
  });

  it("a one-screen summary comes first: platform × Python/ABI tags × wheel tag × image × layer, then the details", () => {
    const lines = summary().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^dry run: mlir-python-bindings 22\.1\.0 from plan \S+p\.json \(numbered, LLVM 22\.1\.0 llvmorg-22\.1\.0\): 5 platform build\(s\), 40 per-Python wheel\(s\) \+ 5 native wheel\(s\); nothing is built$/);
    expect(lines.length).toBeLessThanOrEqual(25);
    expect(lines).toContain("platform                        runner            python/abi tags                                               wheel platform tag                          image                   layer");
    expect(lines).toContain("linux-x86_64 [manylinux2014]    ubuntu-24.04      cp311 cp312 cp313 cp314 cp315 cp313t cp314t cp315t (cpython)  manylinux_2_17_x86_64.manylinux2014_x86_64  manylinux2014_x86_64    prebuilt <layer> (the runner's)");
    expect(lines).toContain("windows-x64                     windows-2022      cp311 cp312 cp313 cp314 cp315 cp313t cp314t cp315t (cpython)  win_amd64                                   - (runner itself)       prebuilt <layer> (the runner's)");
    expect(lines.at(-1)).toMatch(/^details: .*linux-x86_64 \[manylinux2014\] \d+, .* steps\)$/);
    // The build-log comparisons read only step headers and `$` lines: none of them is in the summary.
    for (const l of lines) {
      expect(l).not.toMatch(/^\s+\d+\/\d+ (\S+) \[\w+\]$/);
      expect(l).not.toMatch(/^\s+\$ /);
    }
  });

  it("a from-source layer's key (platform + hash of the plan's commit and CMake options) is in the summary", async () => {
    const r = await cli(["build", "--dry-run", "--plan", join(tmp, "p.json"), "--platform", "macos-arm64", "--layer", "source", "--cache", join(tmp, "cache")]);
    expect(r.stdout.split("\n").find((l) => l.startsWith("macos-arm64 "))).toMatch(/ from source, key macos-arm64-[0-9a-f]{16}$/);
  });
});

describe.runIf(process.platform === "linux" && process.arch === "x64")("dry run of this machine's platform", () => {
  it("names the image pin the lock has (the native plan used to say 'no pin yet')", async () => {
    const r = await runCliOk(["build", "--dry-run", "--python", "3.12", "--source", `dir:${FIXTURE_22}`], { cwd: REPO });
    const pin = `${loadImagesLock(REPO).images["manylinux2014_x86_64"]!.repository}@${loadImagesLock(REPO).images["manylinux2014_x86_64"]!.digest}`;
    expect(r.stdout).toContain(`== linux-x86_64 [manylinux2014]: runner ubuntu-24.04, image manylinux2014_x86_64 (${pin}), generator Ninja`);
    expect(r.stdout).toMatch(/^linux-x86_64 \[manylinux2014\] +this machine +cp312 \(cpython\)/m);
  });
});
