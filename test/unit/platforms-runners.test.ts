// The macOS, Windows and manylinux modules against facts of the real runners (fixtures in
// test/fixtures/runners): the interpreter each would pick, the suffix its extensions get, the tag
// and the repair step of every wheel. Nothing here can run on this Linux host; the plan can.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { platformById } from "../../src/platforms/index.js";
import type { LlvmAbiFacts } from "../../src/platforms/abi.js";
import type { Platform } from "../../src/platforms/platform.js";
import { type PlatformPlan, resolvePlatformPlan } from "../../src/platforms/platform-plan.js";
import { PlatformId } from "../../src/schema/platform.js";
import { RESOLVE_INPUT_BASE } from "../support/resolve-input.js";

interface RunnerFixture {
  label: string;
  platform: string;
  policy?: string;
  env: Record<string, string>;
  dirs: Record<string, string[]>;
  pythons: Record<string, { executable: string; sysconfig_platform: string; ext_suffix: string }>;
  expected_tag: string;
}

const dir = join(import.meta.dirname, "..", "fixtures", "runners");
const fixtures: RunnerFixture[] = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as RunnerFixture);

const LLVM_22: LlvmAbiFacts = { version: "22.1.8", stableAbiOption: false, freeThreaded: true, evidence: ["fixture"] };
const LLVM_23: LlvmAbiFacts = { version: "23.1.0", stableAbiOption: true, freeThreaded: true, evidence: ["fixture"] };

const moduleFor = (f: RunnerFixture): Platform => platformById(PlatformId.parse(f.platform), f.policy ? { policy: f.policy } : {});

function planFor(f: RunnerFixture, llvm: LlvmAbiFacts, pythons: string[], verify: false | { lit: boolean } = false): PlatformPlan {
  const p = moduleFor(f);
  return resolvePlatformPlan(
    { ...p, runner: { ...p.runner, pythons: Object.keys(f.pythons) } },
    {
      pythons,
      llvm,
      ...RESOLVE_INPUT_BASE,
      version: llvm.version,
      toolsBin: p.os === "windows" ? "C:\\mr\\tools\\Scripts" : "/tools/bin",
      env: f.env,
      listDir: (d) => f.dirs[d] ?? [],
      sysconfigPlatforms: Object.fromEntries(Object.entries(f.pythons).map(([v, x]) => [v, x.sysconfig_platform])),
      ...(verify ? { verify } : {}),
    },
  );
}

/** Everything a correct plan for this runner must say; returns the problems found. */
function problems(plan: PlatformPlan, f: RunnerFixture): string[] {
  const out: string[] = [];
  const p = moduleFor(f);
  for (const b of plan.builds) {
    const fx = f.pythons[b.python];
    if (!fx) {
      out.push(`${b.python}: the runner has no such Python`);
      continue;
    }
    if (b.interpreter !== fx.executable) out.push(`${b.python}: interpreter ${b.interpreter} != ${fx.executable}`);
    if (b.abi !== "abi3" && b.extensionSuffix !== fx.ext_suffix) out.push(`${b.python}: suffix ${b.extensionSuffix} != ${fx.ext_suffix}`);
    if (!b.wheel.endsWith(`-${f.expected_tag}.whl`)) out.push(`${b.python}: wheel ${b.wheel} lacks tag ${f.expected_tag}`);
    const repair = b.commands.at(-1) ?? [];
    const tool = repair[0] ?? "";
    const arg = (flag: string): string | undefined => repair[repair.indexOf(flag) + 1];
    if (p.os === "macos") {
      if (!tool.endsWith("/delocate-wheel")) out.push(`${b.python}: last step is not delocate-wheel: ${repair.join(" ")}`);
      if (arg("--require-archs") !== p.arch) out.push(`${b.python}: delocate-wheel without --require-archs ${p.arch}`);
      if (b.cmakeCache["CMAKE_OSX_ARCHITECTURES"] !== p.arch) out.push(`${b.python}: CMAKE_OSX_ARCHITECTURES=${b.cmakeCache["CMAKE_OSX_ARCHITECTURES"]}`);
      if (plan.env["MACOSX_DEPLOYMENT_TARGET"] !== b.cmakeCache["CMAKE_OSX_DEPLOYMENT_TARGET"]) out.push("deployment target differs between env and CMake");
    } else if (p.os === "windows") {
      if (!tool.endsWith("\\delvewheel.exe")) out.push(`${b.python}: last step is not delvewheel: ${repair.join(" ")}`);
      if (!arg("--add-path")?.endsWith("\\mlir\\_mlir_libs")) out.push(`${b.python}: delvewheel not told where _mlir_libs is`);
      if (!arg("--no-mangle")?.split(";").includes("nanobind-mlir_release.dll")) out.push(`${b.python}: nanobind domain DLL not named`);
      if (b.cmakeCache["CMAKE_MSVC_RUNTIME_LIBRARY"] !== "MultiThreaded") out.push(`${b.python}: not the static MSVC runtime`);
    } else {
      if (!tool.endsWith("/auditwheel") || repair[1] !== "repair") out.push(`${b.python}: last step is not auditwheel repair`);
      if (arg("--plat") !== `${f.policy}_${p.arch}`) out.push(`${b.python}: auditwheel --plat ${arg("--plat")} != ${f.policy}_${p.arch}`);
    }
    if (b.cmakeCache["Python_EXECUTABLE"] !== b.cmakeCache["Python3_EXECUTABLE"]) out.push(`${b.python}: Python_ and Python3_EXECUTABLE differ`);
  }
  return out;
}

describe.each(fixtures.map((f) => [f.label, f] as const))("runner %s", (_label, f) => {
  const p = moduleFor(f);

  it("finds each of the runner's Pythons where the runner has it", () => {
    for (const [version, fx] of Object.entries(f.pythons)) {
      expect(p.pythonCandidates(version, f.env, (d) => f.dirs[d] ?? [])[0], version).toBe(fx.executable);
    }
  });

  it("predicts each interpreter's EXT_SUFFIX and the wheel's platform tag from its sysconfig platform", () => {
    for (const [version, fx] of Object.entries(f.pythons)) {
      const abi = version.endsWith("t") ? "freethreaded" : "cpython";
      expect(p.extensionSuffix(version, abi), version).toBe(fx.ext_suffix);
      expect(p.wheelPlatformTag({ sysconfigPlatform: fx.sysconfig_platform }), version).toBe(f.expected_tag);
    }
  });

  it("plans per-version and free-threaded wheels for LLVM 22 with the right repair step", () => {
    const plan = planFor(f, LLVM_22, ["3.10", "3.12"]);
    expect(problems(plan, f)).toEqual([]);
    const ft = Object.keys(f.pythons).filter((v) => v.endsWith("t"));
    expect(plan.builds.map((b) => b.python)).toEqual(["3.10", "3.12", ...ft]);
    expect(plan.builds.map((b) => b.wheel)).toContain(`mlir_python_bindings-22.1.8-cp312-cp312-${f.expected_tag}.whl`);
    for (const v of ft) {
      const n = v.replace(".", "").replace("t", "");
      expect(plan.builds.map((b) => b.wheel)).toContain(`mlir_python_bindings-22.1.8-cp${n}-cp${n}t-${f.expected_tag}.whl`);
    }
  });

  it("plans one cp312-abi3 wheel for 3.12+ when the LLVM tree has the stable-ABI option", () => {
    const plan = planFor(f, LLVM_23, ["3.10", "3.12", "3.13"].filter((v) => v in f.pythons));
    expect(problems(plan, f)).toEqual([]);
    const abi3 = plan.builds.filter((b) => b.abi === "abi3");
    expect(abi3.map((b) => b.wheel)).toEqual([`mlir_python_bindings-23.1.0-cp312-abi3-${f.expected_tag}.whl`]);
    expect(abi3[0]?.cmakeCache["MLIR_ENABLE_PYTHON_STABLE_ABI"]).toBe("ON");
    expect(plan.abi.variant).toBe("abi3");
    // The abi3 wheel is audited against the limited API it claims; per-version wheels are not.
    const verified = planFor(f, LLVM_23, ["3.10", "3.12", "3.13"].filter((v) => v in f.pythons), { lit: false });
    const audits = verified.steps.filter((s) => s.id.endsWith("/abi3audit"));
    expect(audits.map((s) => s.id)).toEqual(["py3.12/abi3audit"]);
    const argv = audits[0]?.kind === "command" ? audits[0].argv : [];
    expect(argv[0]).toMatch(/abi3audit(\.exe)?$/);
    expect(argv.slice(1, -1)).toEqual(["--strict", "--report"]); // what abi3audit.test.ts runs
    expect(argv.at(-1)).toMatch(/cp312-abi3-.*\.whl$/);
    expect(planFor(f, LLVM_22, ["3.12"], { lit: false }).steps.some((s) => s.id.endsWith("/abi3audit"))).toBe(false);
  });

  it("verifies the one abi3 wheel on every CPython >= 3.12 it serves, built once; other configures say the option is OFF", () => {
    const served = ["3.12", "3.13", "3.14"].filter((v) => v in f.pythons);
    const asked = ["3.10", "3.11", ...served].filter((v) => v in f.pythons);
    const plan = planFor(f, LLVM_23, asked, { lit: true });
    const abi3 = plan.builds.find((b) => b.abi === "abi3")!;
    expect(abi3.verifiedOn.map((x) => x.python)).toEqual(served);
    // Built once: only the building Python has a configure; every served one installs, smokes and runs lit.
    expect(plan.steps.filter((s) => s.id.endsWith("/configure")).map((s) => s.python)).toEqual(plan.builds.map((b) => b.python));
    for (const v of served) {
      const verify = plan.steps.filter((s) => s.python === v && s.phase === "verify");
      expect(verify.map((s) => s.id.split("/")[1]), v).toEqual([...(v === "3.12" ? ["check-wheel-contents", "abi3audit"] : []), "verify-venv", "verify-install", "smoke", "lit"]);
      const install = verify.find((s) => s.id.endsWith("/verify-install"));
      expect(install?.produces, v).toEqual([expect.stringMatching(/cp312-abi3-.*\.whl$/)]);
      const venv = verify.find((s) => s.id.endsWith("/verify-venv"));
      expect(venv?.kind === "command" ? venv.argv[0] : "", v).toBe(abi3.verifiedOn.find((x) => x.python === v)?.interpreter);
    }
    for (const b of plan.builds.filter((x) => x.abi !== "abi3")) {
      expect(b.verifiedOn.map((x) => x.python)).toEqual([b.python]);
      expect(b.cmakeCache["MLIR_ENABLE_PYTHON_STABLE_ABI"], b.python).toBe("OFF");
    }
    // LLVM 22 has no such option: its configures do not name it.
    expect(planFor(f, LLVM_22, ["3.12"]).builds.every((b) => !("MLIR_ENABLE_PYTHON_STABLE_ABI" in b.cmakeCache))).toBe(true);
  });

  it("catches a wrong tag and a missing repair step", () => {
    const plan = planFor(f, LLVM_22, ["3.12"]);
    const b = plan.builds[0]!;
    const wrongTag = { ...plan, builds: [{ ...b, wheel: b.wheel.replace(f.expected_tag, p.os === "macos" ? `macosx_10_9_universal2` : "linux_x86_64") }] };
    expect(problems(wrongTag, f).join("\n")).toMatch(/lacks tag/);
    const noRepair = { ...plan, builds: [{ ...b, commands: b.commands.slice(0, -1) }] };
    expect(problems(noRepair, f).join("\n")).toMatch(/last step is not/);
  });
});

describe("module choices that differ per OS", () => {
  it("macOS modules pin one arch and deployment target; delocate checks both", () => {
    for (const id of ["macos-arm64", "macos-x86_64"] as const) {
      const p = platformById(id);
      const arch = p.arch;
      expect(p.bindingsCmakeDefs("3.12", "cpython")).toMatchObject({ CMAKE_OSX_ARCHITECTURES: arch, CMAKE_OSX_DEPLOYMENT_TARGET: "11.0" });
      expect(p.repair.argv("w.whl", "out", "", "/t")).toEqual([
        "/t/delocate-wheel", "--require-archs", arch, "--require-target-macos-version", "11.0", "-w", "out", "-v", "w.whl",
      ]);
      expect(p.strip).toEqual(["strip", "-x"]);
    }
    expect(platformById("macos-x86_64").runner.label).toBe("macos-15-intel");
  });

  it("Windows builds with Ninja + cl, static CRT, short root, and refuses to repair without _mlir_libs", () => {
    const p = platformById("windows-x64");
    expect(p.generator).toBe("Ninja");
    expect(p.bindingsCmakeDefs("3.12", "cpython")).toMatchObject({ CMAKE_CXX_COMPILER: "cl", CMAKE_MSVC_RUNTIME_LIBRARY: "MultiThreaded" });
    expect(p.buildEnv["MLIR_RELEASE_WORK"]!.length).toBeLessThanOrEqual(6);
    expect(() => p.repair.argv("w.whl", "out", "", "C:\\t")).toThrow(/stageDir/);
    expect(p.extensionSuffix("3.12", "abi3")).toBe(".pyd");
    expect(p.strip).toBeUndefined();
  });

  it("refuses an interpreter of the wrong arch or OS instead of mis-tagging", () => {
    expect(() => platformById("macos-arm64").wheelPlatformTag({ sysconfigPlatform: "macosx-10.9-x86_64" })).toThrow(/cannot build arm64/);
    expect(() => platformById("windows-x64").wheelPlatformTag({ sysconfigPlatform: "win-arm64" })).toThrow(/win-arm64/);
    expect(platformById("macos-arm64").wheelPlatformTag({ sysconfigPlatform: "macosx-14.0-arm64" })).toBe("macosx_14_0_arm64");
  });
});
