// The build's settings are taken apart in one place (src/factory/step-inputs.ts): each in-process step
// module reads the one typed part it names, and no step module imports BuildSettings. What each part
// holds is what the steps read from the settings before (the defaults and precedences kept).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BuildFlags } from "../../src/cli/build-commands.js";
import type { BuildSettings } from "../../src/factory/factory.js";
import { stepInputs } from "../../src/factory/step-inputs.js";
import { buildSettingsOf } from "../support/build-settings.js";

const STEPS = join(import.meta.dirname, "..", "..", "src", "factory", "steps");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const settings = (flags: Partial<BuildFlags>): BuildSettings => {
  const cache = mkdtempSync(join(tmpdir(), "step-inputs-"));
  dirs.push(cache);
  return buildSettingsOf({ platform: "linux-x86_64", source: "debian:22.1.8", layer: "source", python: "3.12", out: join(cache, "out"), cache, verify: false, dev: false, lit: false, ...flags });
};

describe("each step's part of the settings", () => {
  it("no step module imports BuildSettings but the wiring (pipeline.ts) and package.ts, which reads only `packages`", () => {
    const importers = readdirSync(STEPS)
      .filter((f) => f.endsWith(".ts"))
      .filter((f) => /import[^;]*\bBuildSettings\b[^;]*from/.test(readFileSync(join(STEPS, f), "utf8")))
      .sort();
    expect(importers).toEqual(["package.ts", "pipeline.ts"]);
    expect(readFileSync(join(STEPS, "package.ts"), "utf8")).toMatch(/Pick<BuildSettings, "packages">/);
  });

  it("the source step: the release's version and SOURCE_DATE_EPOCH before the host's; no package paths without packages", () => {
    const s = settings({});
    const plain = stepInputs(s).source;
    expect(plain.spec).toBe(s.source);
    expect(plain.packagePaths).toBeUndefined();
    expect(plain.version).toBeUndefined();
    const release = stepInputs({ ...s, release: { ...s.release, version: "22.1.8.post1", sourceDateEpoch: 7 }, host: { ...s.host, sourceDateEpoch: 9 } }).source;
    expect(release).toMatchObject({ version: "22.1.8.post1", sourceDateEpoch: 7 });
    expect(stepInputs({ ...s, host: { ...s.host, sourceDateEpoch: 9 } }).source.sourceDateEpoch).toBe(9);
    expect(plain.release).toEqual({ distribution: s.release.distribution, llvmRepository: s.release.llvmRepository, ...(s.release.llvmTag ? { llvmTag: s.release.llvmTag } : {}), nanobindDomain: s.nanobindDomain });
  });

  it("the checks: lit off unless verify asks for it, with its filter; the tools wheel keeps every target unless told", () => {
    const s = settings({});
    expect(stepInputs(s).checks.lit).toBe(false);
    expect(stepInputs({ ...s, verify: { lit: false } }).checks.lit).toBe(false);
    expect(stepInputs({ ...s, verify: { lit: true } }).checks.lit).toEqual({});
    expect(stepInputs({ ...s, verify: { lit: true, litFilter: ["ir"] } }).checks.lit).toEqual({ filter: ["ir"] });
    expect(stepInputs(s).report.verified).toBe(false);
    expect(stepInputs({ ...s, verify: { lit: false } }).report.verified).toBe(true);
    expect(stepInputs(s).tools.targets).toBe("all");
    expect(stepInputs({ ...s, toolsWheel: { targets: "host;NVPTX" } }).tools.targets).toBe("host;NVPTX");
  });

  it("the layer: its spec, the source it takes its own parts of, the host's layer store, the cache's folders", () => {
    const s = settings({});
    const l = stepInputs({ ...s, host: { ...s.host, layerStore: { kind: "dir", path: "/tmp/store" } as never } }).layer;
    expect(l).toMatchObject({ spec: s.layer, source: s.source, platform: "linux-x86_64", cacheDir: s.cacheDir, repoRoot: s.repoRoot, packagePaths: [], packages: [], toolsDir: s.toolsDir });
    expect(l.store).toEqual({ kind: "dir", path: "/tmp/store" });
    expect(stepInputs(s).layer.store).toBeUndefined();
  });
});
