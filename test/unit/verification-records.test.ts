// The build report's verification records of a stable-ABI release: one cp312-abi3 wheel, built with
// 3.12, installed and tested on every CPython it serves. Each interpreter gets its own record (the
// wheel's file name on 3.12, <file>@3.13 on 3.13), with its own smoke and lit results; the checks of
// the file itself (packaging lint, abi3audit) ran once and are shown on every record.
import { describe, expect, it } from "vitest";
import { verificationKey, verificationsOf } from "../../src/factory/steps/verify.js";
import type { LlvmAbiFacts } from "../../src/platforms/abi.js";
import { platformById } from "../../src/platforms/index.js";
import { resolvePlatformPlan } from "../../src/platforms/platform-plan.js";
import { RESOLVE_INPUT_BASE } from "../support/resolve-input.js";

const LLVM_23: LlvmAbiFacts = { version: "23.1.1", stableAbiOption: true, freeThreaded: true, evidence: ["fixture"] };
const base = platformById("linux-x86_64", { policy: "manylinux_2_28" });
const plan = resolvePlatformPlan(
  { ...base, runner: { ...base.runner, pythons: ["3.11", "3.12", "3.13"] } },
  {
    pythons: ["3.11", "3.12", "3.13"],
    llvm: LLVM_23,
    ...RESOLVE_INPUT_BASE,
    version: "23.1.1",
    toolsBin: "/tools/bin",
    verify: { lit: true },
  },
);
const abi3 = plan.builds.find((b) => b.abi === "abi3")!;
const cp311 = plan.builds.find((b) => b.python === "3.11")!;
const smoke = (python: string): { stdout: string } => ({ stdout: `${JSON.stringify({ python, jit: 42 })}\n` });
const lit = (passed: number) => ({ passed, failed: 3, unsupported: 0, xfail: 0, other: 0, failures: [] });
const results = new Map<string, { stdout: string }>([
  ["py3.11/smoke", smoke("3.11")],
  ["py3.11/check-wheel-contents", { stdout: "" }],
  ["py3.12/smoke", smoke("3.12")],
  ["py3.12/check-wheel-contents", { stdout: "" }],
  ["py3.12/abi3audit", { stdout: `${JSON.stringify({ specs: { [abi3.wheel]: { kind: "wheel", wheel: [{ name: "_mlir.abi3.so", result: { is_abi3: true, is_abi3_baseline_compatible: true, baseline: "3.12", computed: "3.12", non_abi3_symbols: [] } }] } } })}\n` }],
  ["py3.13/smoke", smoke("3.13")],
]);
const records = ["3.11", "3.12", "3.13"].flatMap((v) => [
  { id: `py${v}/smoke`, status: "ran" as const, seconds: 2 },
  { id: `py${v}/lit`, status: "ran" as const, seconds: 10 },
]);

describe("verification records of an abi3 release", () => {
  it("the plan builds one abi3 wheel and verifies it on 3.12 and 3.13", () => {
    expect(plan.builds.map((b) => b.wheel)).toEqual([
      "mlir_python_bindings-23.1.1-cp311-cp311-manylinux_2_28_x86_64.whl",
      "mlir_python_bindings-23.1.1-cp312-abi3-manylinux_2_28_x86_64.whl",
    ]);
    expect(abi3.verifiedOn.map((x) => x.python)).toEqual(["3.12", "3.13"]);
  });

  it("one record per interpreter, each with its own smoke and lit, the file's checks on each", () => {
    const v = verificationsOf({
      plan,
      wheels: plan.builds.map((b) => ({ python: b.python, fileName: b.wheel })),
      results,
      lit: { "3.11": lit(96), "3.12": lit(97), "3.13": lit(98) },
      records,
    });
    expect(Object.keys(v).sort()).toEqual([cp311.wheel, abi3.wheel, `${abi3.wheel}@3.13`].sort());
    expect(v[abi3.wheel]).toMatchObject({ python: "3.12", smoke: { python: "3.12" }, lit: { passed: 97 }, seconds: 12 });
    const on313 = v[verificationKey(abi3.wheel, "3.13", "3.12")]!;
    expect(on313).toMatchObject({ python: "3.13", smoke: { python: "3.13", jit: 42 }, lit: { passed: 98 }, seconds: 12 });
    // abi3audit ran once (as a 3.12 step); its verdict belongs to the file, so 3.13's record carries it too.
    expect(on313.abi3audit).toEqual(v[abi3.wheel]!.abi3audit);
    expect(v[abi3.wheel]!.abi3audit).toBeDefined();
    expect(v[cp311.wheel]).toMatchObject({ python: "3.11", lit: { passed: 96 } });
    expect(v[cp311.wheel]!.abi3audit).toBeUndefined();
  });

  it("a per-version wheel keeps its file name as its only key", () => {
    expect(verificationKey(cp311.wheel, "3.11", "3.11")).toBe(cp311.wheel);
    expect(verificationKey(abi3.wheel, "3.15", "3.12")).toBe(`${abi3.wheel}@3.15`);
  });
});
