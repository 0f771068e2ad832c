// Planning needs no tree: a from-source layer's dry run names its cmake configure and build target,
// the LLVM version comes from the source spec on an empty cache, and the step modules' order is
// checked against the plan before anything runs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BuildFlags } from "../../src/cli/build-commands.js";
import { buildSettingsOf } from "../support/build-settings.js";
import { InternalError, InvalidInputError } from "../../src/errors.js";
import { type BuildSettings, planBuild } from "../../src/factory/factory.js";
import { checkStepOrder } from "../../src/factory/steps/pipeline.js";
import { runCli } from "../support/cli-inprocess.js";
import { basePlan } from "../support/release-fixture.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const emptyCache = (): string => {
  const d = mkdtempSync(join(tmpdir(), "factory-plan-"));
  dirs.push(d);
  return d;
};

const settings = (flags: Partial<BuildFlags>, cache = emptyCache()): BuildSettings =>
  buildSettingsOf({ platform: "linux-x86_64", source: "debian:22.1.8", layer: "source", python: "3.12", out: join(cache, "out"), cache, verify: false, dev: false, lit: false, ...flags });

const layerDetail = (s: BuildSettings): string => {
  const st = planBuild(s).steps.find((x) => x.id === "layer");
  return st?.kind === "in-process" ? st.detail : "";
};

describe("planning a from-source layer on an empty cache", () => {
  it("names the layer's cmake configure (compiler launcher included) and its build target", () => {
    const cache = emptyCache();
    const s = settings({}, cache);
    const plan = planBuild(s);
    expect(plan.builds.map((b) => b.wheel)).toEqual(["mlir_python_bindings-22.1.8-cp312-cp312-" + plan.builds[0]!.wheel.split("-cp312-cp312-")[1]]);
    expect(plan.llvm.version).toBe("22.1.8");
    const detail = layerDetail(s);
    const work = join(cache, "layers", ".work", "linux-x86_64");
    expect(detail).toContain(`configure: cmake -G Ninja -S ${work}/llvm-project/llvm -B ${work}/build `);
    expect(detail).toMatch(/-DCMAKE_C_COMPILER_LAUNCHER=\S*sccache -DCMAKE_CXX_COMPILER_LAUNCHER=\S*sccache /);
    expect(detail).toMatch(new RegExp(`-DCMAKE_INSTALL_PREFIX=${cache}/layers/linux-x86_64-[0-9a-f]{16}/install `));
    // The release config names its components: only those are built and installed.
    expect(detail).toContain(`build: ninja -C ${work}/build -- install-distribution`);
  });

  it("shows no launcher when the compiler cache is off, and the -j the build gets", () => {
    const s = { ...settings({ jobs: "3" }), compilerCache: { kind: "none" as const, backend: "local" as const, readOnly: false, maxSize: "10G" } };
    const detail = layerDetail(s);
    expect(detail).not.toContain("COMPILER_LAUNCHER");
    expect(detail).toMatch(/build: ninja -C \S+ -j3 -- install-distribution$/);
  });

  it("knows LLVM 23.1.1 from the pinned Debian tarball: one abi3 wheel", () => {
    const plan = planBuild(settings({ source: "debian:23.1.1" }));
    expect(plan.llvm.version).toBe("23.1.1");
    expect(plan.abi.variant).toBe("abi3");
    expect(plan.builds.map((b) => b.wheel.split("-").slice(0, 4).join("-"))).toEqual(["mlir_python_bindings-23.1.1-cp312-abi3"]);
  });

  it("a git source without its tree asks for a plan; with the plan's LLVM version it plans", () => {
    const s = settings({ source: `git:https://github.com/llvm/llvm-project.git@${"a".repeat(40)}` });
    expect(() => planBuild(s)).toThrow(InvalidInputError);
    expect(() => planBuild(s)).toThrow(/is not fetched yet .*pass --plan \(it names llvm\.version\)/);
    const plan = planBuild({ ...s, release: { ...s.release, llvmVersion: "23.0.0", version: "23.0.0.dev2026120100" } });
    expect(plan.llvm.version).toBe("23.0.0");
    expect(plan.builds[0]!.wheel).toMatch(/^mlir_python_bindings-23\.0\.0\.dev2026120100-cp312-abi3-/);
  });

  it("a plan names its LLVM version: a git source plans on an empty cache", () => {
    const cache = emptyCache();
    const file = join(cache, "plan.json");
    writeFileSync(file, JSON.stringify(basePlan("22.1.8.dev2026112400", "snapshot", "b".repeat(40))));
    const plan = planBuild(settings({ plan: file, source: "debian:22.1.8" }, cache));
    expect(plan.llvm.version).toBe("22.1.8");
    expect(plan.builds.map((b) => b.wheel.split("-").slice(0, 3).join("-"))).toEqual(["mlir_python_bindings-22.1.8.dev2026112400-cp312"]);
    expect(plan.steps.find((x) => x.id === "source")?.kind === "in-process" && plan.steps.find((x) => x.id === "source")).toMatchObject({ detail: expect.stringContaining(`git https://github.com/llvm/llvm-project.git @ ${"b".repeat(12)}`) });
  });

  it("`build --layer source --dry-run` through the CLI prints the configure argv with an empty cache", async () => {
    const cache = emptyCache();
    const r = await runCli(["build", "--layer", "source", "--dry-run", "--python", "3.12", "--no-dev"], { env: { MLIR_RELEASE_CACHE: cache, MLIR_RELEASE_COMPILER_CACHE: undefined } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("in-process layer: from source, key linux-x86_64-");
    expect(r.stdout).toMatch(/configure: cmake -G Ninja .*-DCMAKE_CXX_COMPILER_LAUNCHER=\S*sccache/);
    expect(r.stdout).toContain("-- install-distribution");
  }, 60_000);
});

describe("step order is checked when the pipeline is built", () => {
  const steps = planBuild(settings({ layer: "prebuilt:/usr/lib/llvm-22" })).steps;

  it("the plan's own order passes", () => {
    expect(() => checkStepOrder(steps)).not.toThrow();
  });

  it("a step before the step whose output it reads fails before anything runs", () => {
    const layer = steps.findIndex((x) => x.id === "layer");
    const swapped = [...steps];
    [swapped[layer - 1], swapped[layer]] = [swapped[layer]!, swapped[layer - 1]!];
    expect(() => checkStepOrder(swapped)).toThrow(InternalError);
    expect(() => checkStepOrder(swapped)).toThrow(/step layer reads the output of 'source'/);
    const zip = steps.find((x) => x.id === "py3.12/zip")!;
    expect(() => checkStepOrder([zip, ...steps])).toThrow(/step py3\.12\/zip reads the output of 'source'/);
  });

  it("an in-process step without a module fails", () => {
    const odd = { ...steps.find((x) => x.id === "source")!, name: "no-such-step" } as (typeof steps)[number];
    expect(() => checkStepOrder([odd])).toThrow(/no module for the in-process step 'no-such-step'/);
  });
});
