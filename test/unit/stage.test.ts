import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRelease, mergeManifests, parseSha256Sums, renderSha256Sums, StageRefusedError } from "../../src/stage/check.js";
import { renderReleaseNotes } from "../../src/stage/notes.js";
import { loadStage, writeStage } from "../../src/stage/stage.js";
import { parseWheelFileName } from "../../src/stage/wheelinfo.js";
import { runCli } from "../support/cli-inprocess.js";
import { REPO } from "../support/env.js";
import { makeFixtureRelease } from "../support/release-fixture.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "stage-"));

describe("stage checks (pure)", () => {
  it("parses compressed wheel tags", () => {
    const w = parseWheelFileName("a_b-1.0-py2.py3-none-any.whl");
    expect(w.tags.map((t) => t.python)).toEqual(["py2", "py3"]);
    expect(() => parseWheelFileName("nope.zip")).toThrow(/not a wheel file name/);
  });

  it("SHA256SUMS round-trips and is sorted", () => {
    const t = renderSha256Sums([{ fileName: "b", sha256: "1".repeat(64) }, { fileName: "a", sha256: "2".repeat(64) }]);
    expect(t.split("\n")[0]).toBe(`${"2".repeat(64)}  a`);
    expect(parseSha256Sums(t).get("b")).toBe("1".repeat(64));
  });

  it("refuses two LLVM commits in one release", async () => {
    const a = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", commit: "a".repeat(40) });
    const b = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", commit: "b".repeat(40) });
    expect(() => mergeManifests([a.manifest, b.manifest], "x")).toThrow(/two LLVM commits in one release/);
  });

  it("names every problem: digest, size, version, tag, duplicates, missing", async () => {
    const { manifest } = await makeFixtureRelease({ dir: tmp(), version: "22.1.8" });
    const [w0, w1] = manifest.artifacts;
    const files = new Map([
      [w0!.fileName, { sha256: "f".repeat(64), size: w0!.size + 1, wheel: { name: "mlir-python-bindings", version: "22.1.9", tags: ["py3-none-any"] } }],
    ]);
    const m = { ...manifest, artifacts: [w0!, w0!, w1!, { ...w0!, fileName: "mlir_python_bindings-22.1.7-py3-none-any.whl", tag: { python: "cp312", abi: "cp312", platform: "x" } }] };
    const problems = checkRelease(m, files);
    const text = problems.join("\n");
    expect(text).toMatch(/sha256 f{64} does not match/);
    expect(text).toMatch(/size \d+ does not match/);
    expect(text).toMatch(/listed twice/);
    expect(text).toMatch(/METADATA Version 22.1.9/);
    expect(text).toMatch(new RegExp(`${w1!.fileName}: listed in the manifest but missing`));
    expect(text).toMatch(/file name says version 22.1.7/);
  });

  it("refuses a manifest python that disagrees with the wheel's tag", async () => {
    const { manifest } = await makeFixtureRelease({ dir: tmp(), version: "22.1.8" });
    const a = manifest.artifacts.find((x) => x.tag?.python === "cp311")!;
    const problems = checkRelease({ ...manifest, artifacts: [{ ...a, python: "3.12" }] }, new Map());
    expect(problems.join("\n")).toMatch(/manifest says Python 3\.12 but its tag is cp311-cp311-linux_x86_64/);
  });

  it("refuses a free-threaded Python on a GIL ABI tag and the reverse (cp313-cp313t is 3.13t's)", async () => {
    const { manifest } = await makeFixtureRelease({ dir: tmp(), version: "22.1.8" });
    const a = manifest.artifacts.find((x) => x.tag?.python === "cp311")!;
    const check = (python: string, abi: string) => checkRelease({ ...manifest, artifacts: [{ ...a, python, tag: { ...a.tag!, abi } }] }, new Map()).join("\n");
    expect(check("3.11t", "cp311")).toMatch(/manifest says Python 3\.11t but its ABI tag is cp311$/m);
    expect(check("3.11", "cp311t")).toMatch(/manifest says Python 3\.11 but its ABI tag is cp311t$/m);
    expect(check("3.11t", "cp311t")).not.toMatch(/says Python/);
  });

  it("release notes carry the commit range and the matrix", async () => {
    const { manifest } = await makeFixtureRelease({ dir: tmp(), version: "23.0.0.dev2026112501", commit: "c".repeat(40) });
    const prev = { ...manifest, plan: { ...manifest.plan, version: "23.0.0.dev2026112401", llvm: { ...manifest.plan.llvm, commit: "d".repeat(40) } } };
    const notes = renderReleaseNotes(manifest, prev);
    expect(notes).toContain(`compare/${"d".repeat(40)}...${"c".repeat(40)}`);
    expect(notes).toMatch(/\| linux-x86_64 \| ✓ \| ✓ \|/);
  });
});

describe("stage directory", () => {
  it("writes artifacts, manifest, SHA256SUMS, notes; rerun is a no-op; tampering is caught", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8" });
    const out = join(tmp(), "stage");
    const r1 = await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out });
    expect(r1.reused).toBe(false);
    for (const f of ["manifest.json", "SHA256SUMS", "RELEASE_NOTES.md", ...fx.manifest.artifacts.map((a) => a.fileName)]) expect(existsSync(join(out, f))).toBe(true);
    const sums = parseSha256Sums(readFileSync(join(out, "SHA256SUMS"), "utf8"));
    expect(sums.get(fx.manifest.artifacts[0]!.fileName)).toBe(fx.manifest.artifacts[0]!.sha256);
    expect((await writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out })).reused).toBe(true);
    const loaded = await loadStage(out);
    expect(loaded.files).toHaveLength(2);
    // Tamper with a staged wheel: loading (what publish does first) refuses it.
    const w = join(out, fx.manifest.artifacts[1]!.fileName);
    const other = fx.manifest.artifacts[0]!.fileName;
    copyFileSync(join(out, other), `${w}.x`);
    writeFileSync(w, readFileSync(`${w}.x`));
    await expect(loadStage(out)).rejects.toThrow(StageRefusedError);
  });

  it("refuses a mismatching artifact and writes nothing", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8" });
    writeFileSync(join(fx.dir, fx.manifest.artifacts[0]!.fileName), "not a wheel");
    const out = join(tmp(), "stage");
    await expect(writeStage({ manifests: [fx.manifest], artifactsDir: fx.dir, outDir: out })).rejects.toThrow(/refusing to stage release 22.1.8[\s\S]*does not match the manifest/);
    expect(existsSync(out)).toBe(false);
  });

  it("the CLI names the input and stages nothing on refusal", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8" });
    writeFileSync(join(fx.dir, fx.manifest.artifacts[0]!.fileName), "not a wheel");
    const out = join(tmp(), "stage");
    const r = await runCli(["stage", "--manifest", join(fx.dir, "manifest.json"), "--artifacts", fx.dir, "--out", out], { cwd: REPO });
    expect(r.code).toBe(3); // a failed check (src/errors.ts)
    expect(r.stderr).toMatch(/^error: refusing to stage release 22\.1\.8; nothing was staged or published:\n  - mlir_python_bindings-22\.1\.8-/);
    expect(r.stderr).toMatch(/not a readable wheel: .*not a readable zip/);
    expect(r.stderr).not.toMatch(/\bat \w+ \(/); // a message, not a stack trace
    expect(existsSync(out)).toBe(false);
    const again = await runCli(["stage", "--manifest", join(fx.dir, "manifest.json"), "--artifacts", fx.dir, "--out", out], { cwd: REPO });
    expect(again.code).toBe(3); // still refused on a rerun: nothing was half-written
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it("refuses a wheel whose inner version disagrees with its name", async () => {
    const good = await makeFixtureRelease({ dir: tmp(), version: "22.1.8" });
    const bad = await makeFixtureRelease({ dir: tmp(), version: "22.1.9" });
    // A 22.1.9 wheel renamed to the 22.1.8 name, with the manifest updated to its bytes.
    const a = good.manifest.artifacts[0]!;
    const b = bad.manifest.artifacts[0]!;
    copyFileSync(join(bad.dir, b.fileName), join(good.dir, a.fileName));
    const m = { ...good.manifest, artifacts: [{ ...a, sha256: b.sha256, size: b.size }, good.manifest.artifacts[1]!] };
    await expect(writeStage({ manifests: [m], artifactsDir: good.dir, outDir: join(tmp(), "s") })).rejects.toThrow(/METADATA Version 22.1.9 disagrees/);
  });
});
