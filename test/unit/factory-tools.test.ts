// The tools wheel as a target of the build (issue 29 item 2): planned after the native wheel on
// linux-x86_64 when asked for (the CLI's default, --no-tools-wheel), never on a platform whose module
// does not build it; its in-process steps come after the steps they read; the report's entry becomes
// a `tools-wheel` artifact of the manifest; the closing table, the release notes and the dashboard
// print its install line.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closingSummary, type BuildFlags } from "../../src/cli/build-commands.js";
import { buildSettingsOf } from "../support/build-settings.js";
import { type BuildSettings, planBuild } from "../../src/factory/factory.js";
import { checkStepOrder } from "../../src/factory/steps/pipeline.js";
import { artifactsOf } from "../../src/plan/manifest.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { renderReleaseNotes } from "../../src/stage/notes.js";
import { runCli } from "../support/cli-inprocess.js";
import { makeFixtureRelease } from "../support/release-fixture.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";

const tmp = (): string => mkdtempSync(join(tmpdir(), "factory-tools-"));
const settings = (flags: Partial<BuildFlags>): BuildSettings => {
  const cache = tmp();
  return buildSettingsOf({ platform: "linux-x86_64", source: "debian:22.1.8", layer: "prebuilt:/usr/lib/llvm-22", python: "3.12", out: join(cache, "out"), cache, verify: false, dev: false, lit: false, ...flags });
};
const TOOLS_FILE = "mlir_python_bindings_tools-22.1.8-py3-none-manylinux_2_36_x86_64.whl";
const sha = (c: string): string => c.repeat(64);

describe("the tools wheel in the plan", () => {
  it("asked for: link, zip, inspect, repair, place after the native wheel, keeping the config's LLVM targets; the order check passes", () => {
    const s = settings({ toolsWheel: true });
    expect(s.toolsWheel).toEqual({ targets: "host;NVPTX;AMDGPU" });
    const plan = planBuild(s);
    const ids = plan.steps.map((x) => x.id);
    const tools = ids.filter((id) => id.startsWith("tools/"));
    expect(tools).toEqual(["tools/link", "tools/zip", "tools/inspect", "tools/repair", "tools/place"]);
    expect(ids.indexOf("tools/link")).toBeGreaterThan(ids.indexOf("native/place"));
    expect(plan.tools?.wheel).toMatch(/^mlir_python_bindings_tools-22\.1\.8-py3-none-manylinux_2_\d+_x86_64\.whl$/);
    const repair = plan.steps.find((x) => x.id === "tools/repair");
    expect(repair?.kind === "command" && repair.argv.slice(1, 6)).toEqual(["repair", "--zip-compression-level", "0", "--plat", plan.repair.policy]);
    expect(() => checkStepOrder(plan.steps)).not.toThrow();
    // Without the layer step before it, the link step cannot run.
    expect(() => checkStepOrder(plan.steps.filter((x) => x.id === "source" || x.id.startsWith("tools/")))).toThrow(/step tools\/link reads the output of 'layer'/);
    expect(() => checkStepOrder(plan.steps.filter((x) => x.id !== "tools/link"))).toThrow(/step tools\/zip reads the output of 'link-tools'/);
  });

  it("not asked for (what tests and `verify` resolve), or on a platform that does not build it: no tools steps", () => {
    expect(settings({}).toolsWheel).toBeUndefined();
    expect(planBuild(settings({})).steps.some((x) => x.id.startsWith("tools/"))).toBe(false);
    const mac = settings({ toolsWheel: true, platform: "macos-arm64" });
    expect(planBuild(mac).tools).toBeUndefined();
  });

  it("`build --dry-run` lists it by default and not with --no-tools-wheel", async () => {
    const cache = tmp();
    const base = ["build", "--dry-run", "--python", "3.12", "--no-dev", "--cache", cache, "--out", join(cache, "out")];
    const on = await runCli(base);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/tools\/link \[build\]/);
    expect(on.stdout).toMatch(/tools\/place \[repair\]/);
    const off = await runCli([...base, "--no-tools-wheel"]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).not.toContain("tools/link");
  }, 60_000);
});

const report = (): BuildReport =>
  BuildReport.parse({
    platform: "linux-x86_64",
    distribution: "mlir-python-bindings",
    version: "22.1.8",
    llvm: { version: "22.1.8", commit: "c".repeat(40), sourceIdentity: sha("e") },
    layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22", key: "k" },
    sourceDateEpoch: 1781796128,
    nanobindDomain: "mlir_release",
    wheels: [],
    tools: { fileName: TOOLS_FILE, sha256: sha("3"), size: 36_500_000, tag: { python: "py3", abi: "none", platform: "manylinux_2_36_x86_64" }, reused: false, seconds: { link: 50 }, droppedTargets: ["AArch64"] },
    seconds: {},
  });

describe("the tools wheel after the build", () => {
  it("is a tools-wheel artifact of the manifest", () => {
    expect(artifactsOf(report())).toEqual([{ kind: "tools-wheel", fileName: TOOLS_FILE, sha256: sha("3"), size: 36_500_000, platform: "linux-x86_64", tag: { python: "py3", abi: "none", platform: "manylinux_2_36_x86_64" } }]);
  });

  it("the closing table names it and its find-links install line", () => {
    const text = closingSummary(report(), "/x/dist", "/x");
    expect(text).toContain(`${TOOLS_FILE}  36.5 MB  50.0s  (tools:`);
    expect(text).toContain("tools: pip install 'mlir-python-bindings-tools==22.1.8' --find-links dist");
  });

  it("the release notes give its install line when the release has it", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered", split: true, wheels: [{ python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" }] });
    expect(renderReleaseNotes(fx.manifest)).not.toContain("-tools");
    const withTools = { ...fx.manifest, artifacts: [...fx.manifest.artifacts, ...artifactsOf(report())] };
    expect(renderReleaseNotes(withTools, undefined, { indexUrl: "http://127.0.0.1:1/simple/" })).toContain("`pip install 'mlir-python-bindings-tools==22.1.8' --extra-index-url http://127.0.0.1:1/simple/`");
  });
});
