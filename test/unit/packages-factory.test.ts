// A package enabled in one build: `--package clang` (or the config) adds the recipe's steps after the
// MLIR bindings' and changes none of theirs; its sources are a tree of their own; its wheel goes through
// the same assemble/place code as every wheel target, gets its METADATA from the recipe, and its report
// entry carries the tests' counts; a from-source layer gains clang only with the package.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { buildSettingsOf } from "../support/build-settings.js";
import { InvalidInputError } from "../../src/errors.js";
import { planBuild, plannedInputs } from "../../src/factory/build-plan.js";
import type { ReleaseFiles } from "../../src/factory/steps/metadata.js";
import { packageReport, packageTargets } from "../../src/factory/steps/package.js";
import { assembleTarget, placeTarget, targetOf } from "../../src/factory/steps/target.js";
import { ReleaseConfig } from "../../src/schema/config.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "packages-factory-"));
  dirs.push(d);
  return d;
};
const settings = (more: Record<string, unknown> = {}) => {
  const root = tmp();
  return buildSettingsOf({ platform: "linux-x86_64", source: "debian:22.1.8", layer: "prebuilt:/usr/lib/llvm-22", python: "3.12", out: join(root, "out"), work: join(root, "work"), cache: join(root, "cache"), verify: true, dev: false, lit: false, ...more });
};
const meta = { distribution: "mlir-python-bindings-native", version: "22.1.8", summary: "s", license: "Apache-2.0 WITH LLVM-exception", requiresPython: ">=3.10", requiresDist: [], projectUrls: { Source: "https://example.invalid/llvm" } };
const files: ReleaseFiles = { metadata: { ...meta, distribution: "mlir-python-bindings" }, nativeMetadata: meta, releaseInfo: "" };

describe("a package in the build", () => {
  it("adds the recipe's steps after every MLIR step and changes none of those", () => {
    const without = planBuild(settings());
    const withClang = planBuild(settings({ package: "clang" }));
    const ids = withClang.steps.map((s) => s.id);
    expect(ids.slice(0, without.steps.length)).toEqual(without.steps.map((s) => s.id));
    expect(ids.slice(without.steps.length)).toEqual([
      "clang/configure", "clang/build", "clang/install", "clang/zip", "clang/inspect", "clang/repair", "clang/place",
      "clang/py3.12/verify-venv", "clang/py3.12/verify-install", "clang/py3.12/tests",
    ]);
    expect(without.packages).toEqual([]);
    expect(withClang.packages.map((p) => p.wheel)).toEqual([expect.stringMatching(/^clang_python_bindings-22\.1\.8-py3-none-manylinux_2_\d+_x86_64\.whl$/)]);
  });

  it("takes its sources from a tree of their own, so the bindings' tree (and build) stay as they were", () => {
    const s = settings({ package: "clang" });
    const plan = planBuild(s);
    expect(plan.packageSourceRoot).toBeDefined();
    expect(plan.packageSourceRoot).not.toBe(plannedInputs(s).sourceRoot);
    expect(basename(plannedInputs(s).sourceRoot)).toBe(basename(plannedInputs(settings()).sourceRoot));
    const configure = plan.steps.find((x) => x.id === "clang/configure");
    expect(configure?.kind === "command" && configure.argv).toContain(`-DCLANG_RELEASE_SOURCE_DIR=${plan.packageSourceRoot}`);
  });

  it("is enabled by the config too, under the config's name; an unknown --package is refused", () => {
    const root = tmp();
    const config = join(root, "release.config.json");
    writeFileSync(config, JSON.stringify({ packages: { clang: { enabled: true, distribution: "our-clang" } } }));
    expect(settings({ config }).packages?.map((p) => [p.recipe.id, p.distribution])).toEqual([["clang", "our-clang"]]);
    expect(settings().packages).toBeUndefined();
    expect(() => settings({ package: "gcc" })).toThrow(InvalidInputError);
  });

  it("a from-source layer's resolved options gain clang only with the package", () => {
    const defaults = ReleaseConfig.parse({}).layerCmakeOptions;
    const plain = settings({ layer: "source" }).layer;
    const clang = settings({ layer: "source", package: "clang" }).layer;
    expect(plain.kind === "source" && plain.cmakeOptions).toEqual(defaults);
    expect(clang.kind === "source" && clang.cmakeOptions["LLVM_ENABLE_PROJECTS"]).toBe("mlir;clang");
    expect(clang.kind === "source" && clang.cmakeOptions["LLVM_DISTRIBUTION_COMPONENTS"]).toMatch(/;clang-libraries;clang-headers;clang-resource-headers$/);
  });

  it("its wheel is assembled and placed by the shared target code, with the recipe's METADATA, and reported with its tests", async () => {
    const s = settings({ package: "clang" });
    const plan = planBuild(s);
    const p = plan.packages[0]!;
    mkdirSync(join(p.stageDir, "clang", "native"), { recursive: true });
    writeFileSync(join(p.stageDir, "clang", "__init__.py"), "");
    writeFileSync(join(p.stageDir, "clang", "native", "libclang.so"), "lib");
    const t = targetOf(packageTargets(s, plan), "clang/zip");
    await assembleTarget(t, files, 1_700_000_000);
    const raw = unzipSync(readFileSync(t.rawWheel));
    expect(Object.keys(raw).sort()).toEqual([
      "clang/__init__.py", "clang/native/libclang.so",
      "clang_python_bindings-22.1.8.dist-info/METADATA", "clang_python_bindings-22.1.8.dist-info/RECORD", "clang_python_bindings-22.1.8.dist-info/WHEEL",
      "clang_python_bindings-22.1.8.dist-info/top_level.txt",
    ]);
    const metadata = Buffer.from(raw["clang_python_bindings-22.1.8.dist-info/METADATA"]!).toString();
    expect(metadata).toContain("Name: clang-python-bindings\n");
    expect(metadata).toContain("Summary: clang's Python bindings (clang.cindex) with libclang 22.1.8");
    expect(metadata).not.toContain("Requires-Dist");
    mkdirSync(t.repairDir, { recursive: true });
    mkdirSync(s.outDir, { recursive: true });
    cpSync(t.rawWheel, join(t.repairDir, t.wheel));
    const results = new Map([["clang/py3.12/tests", { exitCode: 0, stdout: 'ran 3\n{"ran": 160, "passed": 158, "failed": 0, "errors": 0, "skipped": 2, "library": "clang/native/libclang.so"}\n' }]]);
    const entry = await placeTarget(t, { outDir: s.outDir, policy: plan.repair.policy, sourceDateEpoch: 1_700_000_000, results });
    const [reported] = packageReport(plan, new Map([["clang", entry]]), results, [{ id: "clang/build", status: "ran", seconds: 12 }]);
    expect(reported).toMatchObject({ package: "clang", distribution: "clang-python-bindings", fileName: p.wheel, seconds: { build: 12 }, tests: { "3.12": { ran: 160, passed: 158, failed: 0, errors: 0, skipped: 2 } } });
  });
});
