// Issue 30 item 5: `resolve --manifests <index>/store/manifests` found 0 manifests: it looked only
// for files named manifest.json, and the published index names each `<version>.json`. Here the
// folder is laid out by the index's own writer (addRelease, what `publish --targets index` runs),
// and resolve answers from it through the real CLI; a manifest that fails the schema is an error
// naming the file.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { isManifestFile, loadManifests, versionOfManifestName } from "../../src/select/manifest-files.js";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { failureShape, runCli } from "../support/cli-inprocess.js";
import { stagedFixtureRelease as staged } from "../support/release-fixture.js";

const NUMBERED = "22.1.8";
const SNAPSHOT = "23.0.0.dev2026112501";
const C1 = "1".repeat(40);
const C2 = "2".repeat(40);
let root: string;
const scratch: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  scratch.push(d);
  return d;
};

beforeAll(async () => {
  root = tmp("resolve-index-");
  await addRelease(root, await staged(NUMBERED, "numbered", C1));
  await addRelease(root, await staged(SNAPSHOT, "snapshot", C2));
}, 120_000);
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const versions = (stdout: string): string[] => (JSON.parse(stdout) as Array<{ version: string }>).map((r) => r.version).sort();

describe("resolve --manifests over the published layout", () => {
  it("the index writes store/manifests/<version>.json (the layout this reads)", () => {
    expect(readdirSync(indexPaths(root).manifests).sort()).toEqual([`${NUMBERED}.json`, `${SNAPSHOT}.json`]);
  });

  it("<index>/store/manifests answers --commit (it found 0 manifests before)", async () => {
    const dir = indexPaths(root).manifests;
    expect(loadManifests([dir]).map((m) => m.plan.version).sort()).toEqual([NUMBERED, SNAPSHOT]);
    const r = await runCli(["resolve", "--manifests", dir, "--commit", C2.slice(0, 12)]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(versions(r.stdout)).toEqual([SNAPSHOT]);
    const n = await runCli(["resolve", "--manifests", dir, "--commit", C1]);
    expect(versions(n.stdout)).toEqual([NUMBERED]);
  });

  it("the index root: the store's manifests and the site's copies count once each; the pruned records and notes are not read", async () => {
    mkdirSync(indexPaths(root).pruned, { recursive: true });
    writeFileSync(join(indexPaths(root).pruned, `${SNAPSHOT}.json`), JSON.stringify({ version: SNAPSHOT, prunedAt: "2026-12-01T00:00:00Z" }));
    try {
      expect(loadManifests([root]).map((m) => m.plan.version).sort()).toEqual([NUMBERED, SNAPSHOT]);
      const r = await runCli(["resolve", "--manifests", root, "--commit", C2]);
      expect(r.code, r.stderr).toBe(EXIT.ok);
      expect(versions(r.stdout)).toEqual([SNAPSHOT]);
    } finally {
      rmSync(indexPaths(root).pruned, { recursive: true, force: true });
    }
  });

  it("a build's folder with manifest.json still counts, next to the index's files", async () => {
    const build = tmp("resolve-build-");
    mkdirSync(join(build, "dist"));
    const m = JSON.parse(readFileSync(join(indexPaths(root).manifests, `${SNAPSHOT}.json`), "utf8")) as { plan: { version: string; llvm: { commit: string } } };
    m.plan.version = "23.0.0.dev2026112600";
    writeFileSync(join(build, "dist", "manifest.json"), JSON.stringify(m));
    writeFileSync(join(build, "dist", "build-report.json"), "{}"); // not a manifest: not read
    const r = await runCli(["resolve", "--manifests", indexPaths(root).manifests, build, "--commit", C2]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(versions(r.stdout)).toEqual([SNAPSHOT, "23.0.0.dev2026112600"]);
  });

  it("a <version>.json that fails the schema: exit 2, one line naming the file; nothing is answered", async () => {
    const dir = join(tmp("resolve-bad-"), "manifests");
    mkdirSync(dir);
    copyFileSync(join(indexPaths(root).manifests, `${NUMBERED}.json`), join(dir, `${NUMBERED}.json`));
    writeFileSync(join(dir, `${SNAPSHOT}.json`), JSON.stringify({ schemaVersion: 1, plan: { version: SNAPSHOT } }));
    const r = await runCli(["resolve", "--manifests", dir, "--commit", C1]);
    expect(r.code).toBe(EXIT.badInput);
    expect(failureShape(r)).toEqual({ errorLines: 1, stack: false });
    expect(r.stderr).toContain(`--manifests file ${join(dir, `${SNAPSHOT}.json`)}`);
    expect(r.stdout).toBe("");
    // Truncated JSON: the same, named.
    writeFileSync(join(dir, `${SNAPSHOT}.json`), "{\"schemaVersion\": 1, \"pl");
    const t = await runCli(["resolve", "--manifests", dir, "--commit", C1]);
    expect(t.code).toBe(EXIT.badInput);
    expect(t.stderr).toMatch(new RegExp(`--manifests file ${join(dir, SNAPSHOT).replaceAll(".", "\\.")}\\.json: not valid JSON`));
  });

  it("a <version>.json whose plan is another version, and two different manifests of one version, are refused by name", async () => {
    const dir = join(tmp("resolve-misnamed-"), "manifests");
    mkdirSync(dir);
    copyFileSync(join(indexPaths(root).manifests, `${NUMBERED}.json`), join(dir, "22.1.9.json"));
    const r = await runCli(["resolve", "--manifests", dir, "--commit", C1]);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/22\.1\.9\.json: its name says version 22\.1\.9 but its plan is 22\.1\.8/);
    rmSync(join(dir, "22.1.9.json"));
    const other = join(tmp("resolve-other-"), "manifest.json");
    const m = JSON.parse(readFileSync(join(indexPaths(root).manifests, `${NUMBERED}.json`), "utf8")) as { plan: { llvm: { commit: string } } };
    m.plan.llvm.commit = "3".repeat(40);
    writeFileSync(other, JSON.stringify(m));
    copyFileSync(join(indexPaths(root).manifests, `${NUMBERED}.json`), join(dir, `${NUMBERED}.json`));
    const two = await runCli(["resolve", "--manifests", dir, other, "--commit", C1]);
    expect(two.code).toBe(EXIT.badInput);
    expect(two.stderr).toMatch(/two different manifests of version 22\.1\.8: .*22\.1\.8\.json and .*manifest\.json/);
  });

  it("which names a folder walk takes", () => {
    expect(versionOfManifestName("23.0.0.dev2026112501.json")).toBe("23.0.0.dev2026112501");
    expect(versionOfManifestName("build-report.json")).toBeUndefined();
    expect(isManifestFile("/i/store/manifests/22.1.8.json")).toBe(true);
    expect(isManifestFile("/i/site/manifests/22.1.8.json")).toBe(true);
    expect(isManifestFile("/i/store/pruned/22.1.8.json")).toBe(false);
    expect(isManifestFile("/d/dist/manifest.json")).toBe(true);
    expect(isManifestFile("/d/dist/rebuild-report.json")).toBe(false);
  });
});
