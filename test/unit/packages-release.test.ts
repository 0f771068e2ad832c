// A package's wheel in a release: the manifest lists it as a `package-wheel` with the plan naming the
// package, a build report whose package the plan does not name is refused, staging checks it under its
// own distribution, and the index, PyPI and the dashboard take its project from it.
import { describe, expect, it } from "vitest";
import { artifactsOf, implicitPlan, manifestFromBuild } from "../../src/plan/manifest.js";
import { PYPI_DEFAULT_KINDS } from "../../src/publish/pypi.js";
import { isWheelKind, wheelProject } from "../../src/schema/artifact.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { checkRelease } from "../../src/stage/check.js";

const C = "ca7933e47d3a3451d81e72ac174dcb5aa28b59d1";
const sha = (c: string): string => c.repeat(64);
const CLANG = "clang_python_bindings-22.1.8-py3-none-manylinux_2_36_x86_64.whl";
const report = BuildReport.parse({
  platform: "linux-x86_64",
  distribution: "mlir-python-bindings",
  version: "22.1.8",
  llvm: { version: "22.1.8", commit: C, sourceIdentity: sha("e") },
  layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22", key: "prebuilt-linux-x86_64-22.1.8-8aa6cce51732" },
  sourceDateEpoch: 1781796128,
  nanobindDomain: "mlir_release",
  wheels: [{ python: "3.12", fileName: "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl", sha256: sha("1"), size: 10, tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" }, reused: false, seconds: {} }],
  packages: [
    {
      package: "clang",
      distribution: "clang-python-bindings",
      fileName: CLANG,
      sha256: sha("4"),
      size: 20,
      tag: { python: "py3", abi: "none", platform: "manylinux_2_36_x86_64" },
      seconds: {},
      tests: { "3.11": { ran: 160, passed: 158, failed: 0, errors: 0, skipped: 2 } },
    },
  ],
  seconds: {},
});
const source = { kind: "tarball" as const, file: "llvm-toolchain-22_22.1.8.orig.tar.xz", sha256: sha("3"), origin: {} };
const prov = { builder: "host", pipelineVersion: "mlir-release 0.1.0", layer: {} };
const plan = implicitPlan({ report, devDistribution: "mlir-python-bindings-dev", llvmRepository: "https://example.org/llvm.git", source, nanobind: "2.9.2", layerCmakeOptions: {} });

describe("a package's wheel in a release", () => {
  it("is a package-wheel artifact; the plan names its package, the manifest its tests", () => {
    expect(plan.packages).toEqual([{ id: "clang", distribution: "clang-python-bindings" }]);
    const m = manifestFromBuild(plan, report, prov);
    expect(artifactsOf(report).map((a) => [a.kind, a.fileName])).toEqual([
      ["package-wheel", CLANG],
      ["wheel", "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl"],
    ]);
    expect(m.verification[CLANG]).toEqual({ package: "clang", tests: { "3.11": { ran: 160, passed: 158, failed: 0, errors: 0, skipped: 2 } } });
  });

  it("a build report with a package the plan does not name is refused", () => {
    expect(() => manifestFromBuild({ ...plan, packages: [] }, report, prov)).toThrow(/package wheel clang_python_bindings-.* is not among the plan's packages/);
  });

  it("staging checks it under its own distribution and refuses one the plan does not name", () => {
    const m = manifestFromBuild(plan, report, prov);
    const observed = new Map(
      m.artifacts.map((a) => [a.fileName, { sha256: a.sha256, size: a.size, wheel: { name: a.kind === "package-wheel" ? "clang-python-bindings" : "mlir-python-bindings", version: "22.1.8", tags: [`${a.tag!.python}-${a.tag!.abi}-${a.tag!.platform}`] } }]),
    );
    expect(checkRelease(m, observed).filter((p) => p.includes(CLANG))).toEqual([]);
    const foreign = checkRelease({ ...m, plan: { ...m.plan, packages: [] } }, observed);
    expect(foreign.some((p) => p.includes(CLANG) && p.includes("not among the plan's packages"))).toBe(true);
  });

  it("is a wheel on the index and PyPI under its distribution's project, sent by default", () => {
    expect(isWheelKind("package-wheel")).toBe(true);
    expect(wheelProject("package-wheel", plan, CLANG)).toBe("clang-python-bindings");
    expect(PYPI_DEFAULT_KINDS).toContain("package-wheel");
    expect(ReleaseConfig.parse({ publish: { pypi: { repositoryUrl: "https://example.org/legacy/" } } }).publish.pypi?.include).toContain("package-wheel");
  });
});
