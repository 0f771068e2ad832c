// The index rebuilt from GitHub Releases alone (what CI deploys to GitHub Pages): real octokit
// against the local GitHub server, then pip installs from the synced site.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deleteGithubRelease, publishGithub, type GithubOptions } from "../../src/publish/github.js";
import { restore } from "../../src/publish/restore.js";
import { syncIndexFromGithub } from "../../src/publish/site-sync.js";
import { FakeGitHub } from "../support/fake-github.js";
import { FIXTURE_MODULE, stagedFixtureRelease } from "../support/release-fixture.js";
import { freshVenv, serveStatic } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "site-sync-"));
const stageOf = stagedFixtureRelease;
const sha256 = async (b: ArrayBuffer): Promise<string> => (await import("node:crypto")).createHash("sha256").update(Buffer.from(b)).digest("hex");

describe("site-sync: the index from GitHub Releases", () => {
  let gh: FakeGitHub;
  let opts: GithubOptions;
  beforeEach(async () => {
    gh = await new FakeGitHub().start();
    opts = gh.publisherOptions();
  });
  afterEach(async () => gh.stop());

  it("lists complete releases only, links files at GitHub with digests and PEP 658 metadata, drops deleted releases", async () => {
    const numbered = await stageOf("22.1.8", "numbered");
    const snapshot = await stageOf("23.0.0.dev2026112500", "snapshot");
    const late = await stageOf("23.0.0.dev2026112600", "snapshot");
    await publishGithub(numbered, opts);
    await publishGithub(snapshot, opts);
    // A publisher killed before its last asset: wheels are up, manifest.json is not.
    await expect(
      publishGithub(late, opts, { checkpoint: (p) => { if (p === "github:asset:manifest.json") throw new Error("killed"); } }),
    ).rejects.toThrow("killed");
    // A release someone made by hand, without our assets.
    await fetch(`${gh.url}/repos/o/r/releases`, { method: "POST", headers: { authorization: `token ${gh.token}` }, body: JSON.stringify({ tag_name: "hand-made" }) });

    const root = join(tmp(), "index");
    const out = join(tmp(), "pages");
    const r1 = await syncIndexFromGithub(root, opts, { serverUrl: gh.url, outDir: out });
    expect(r1.versions).toEqual(["22.1.8", "23.0.0.dev2026112500"]);
    expect(r1.skipped.map((s) => s.tag).sort()).toEqual(["hand-made", "v23.0.0.dev2026112600"]);
    expect(r1.skipped.find((s) => s.tag === "v23.0.0.dev2026112600")!.reason).toMatch(/no manifest\.json asset/);

    // The Pages tree: plain files, no wheel bytes, links into the release downloads.
    expect(existsSync(join(out, ".nojekyll"))).toBe(true);
    expect(existsSync(join(out, "files"))).toBe(false);
    const page = readFileSync(join(out, "simple", "mlir-python-bindings", "index.html"), "utf8");
    for (const st of [numbered, snapshot]) {
      for (const f of st.files) {
        const url = `${gh.url}/o/r/releases/download/v${st.manifest.plan.version}/${f.fileName}`;
        expect(page).toContain(`href="${url}#sha256=${f.sha256}"`);
        const meta = st.metadata.find((m) => m.fileName === `${f.fileName}.metadata`)!;
        expect(page).toContain(`data-dist-info-metadata="sha256=${meta.sha256}"`);
        // Every link resolves to the bytes its fragment names, and so does the metadata file.
        expect(await sha256(await (await fetch(url)).arrayBuffer())).toBe(f.sha256);
        expect(await sha256(await (await fetch(`${url}.metadata`)).arrayBuffer())).toBe(meta.sha256);
      }
    }
    expect(page).not.toContain("23.0.0.dev2026112600");
    expect(readFileSync(join(out, "manifests", "22.1.8.json"), "utf8")).toBe(readFileSync(join(numbered.dir, "manifest.json"), "utf8"));

    // pip, from the synced site, fetching the wheel from the release.
    const site = await serveStatic(out);
    try {
      const v = await freshVenv(join(tmp(), "venv"));
      await v.pip(["install", "--index-url", `${site.url}/simple/`, "mlir-python-bindings==22.1.8"]);
      expect(execFileSync(v.py, ["-c", `import ${FIXTURE_MODULE} as m; print(m.LLVM_COMMIT)`]).toString().trim()).toBe(numbered.manifest.plan.llvm.commit);
    } finally {
      await site.stop();
    }

    // The interrupted publish finishes; a snapshot is deleted (retention): the next sync follows.
    await publishGithub(late, opts);
    expect(await deleteGithubRelease(opts, "23.0.0.dev2026112500")).toBe(true);
    const r2 = await syncIndexFromGithub(root, opts, { serverUrl: gh.url, outDir: out });
    expect(r2.versions).toEqual(["22.1.8", "23.0.0.dev2026112600"]);
    expect(r2.removed).toEqual(["23.0.0.dev2026112500"]);
    const page2 = readFileSync(join(out, "simple", "mlir-python-bindings", "index.html"), "utf8");
    expect(page2).toContain("23.0.0.dev2026112600");
    expect(page2).not.toContain("23.0.0.dev2026112500");

    // Idempotent: a sync with nothing new changes nothing.
    const r3 = await syncIndexFromGithub(root, opts, { serverUrl: gh.url, outDir: out });
    expect(r3.site).toBe(r2.site);
    expect(r3.removed).toEqual([]);
  });

  it("with retention: a thinned snapshot's release keeps manifest.json + metadata + pruned.json, stays listed as yanked; restore un-yanks it", async () => {
    const stages = new Map<string, Awaited<ReturnType<typeof stageOf>>>();
    for (const [v, kind] of [["22.1.8", "numbered"], ["23.0.0.dev2026060200", "snapshot"], ["23.0.0.dev2026060400", "snapshot"], ["23.0.0.dev2026112500", "snapshot"]] as const) {
      const st = await stageOf(v, kind);
      stages.set(v, st);
      await publishGithub(st, opts);
    }
    const policy = { allDays: 30, weeklyDays: 365, monthly: true };
    const now = new Date("2026-12-01T00:00:00Z");
    const out = join(tmp(), "pages");
    const root = join(tmp(), "index");
    const r = await syncIndexFromGithub(root, opts, { serverUrl: gh.url, outDir: out, prune: { policy, now } });
    expect(r.pruned).toEqual(["23.0.0.dev2026060200"]);
    expect(r.versions).toEqual(["22.1.8", "23.0.0.dev2026060200", "23.0.0.dev2026060400", "23.0.0.dev2026112500"]);
    // The release and its tag stay; only the artifacts went.
    const rel = gh.snapshot().find((x) => x.tag === "v23.0.0.dev2026060200")!;
    expect(rel.assets.map((a) => a.name).filter((n) => n.endsWith(".whl"))).toEqual([]);
    expect(rel.assets.map((a) => a.name)).toEqual(expect.arrayContaining(["manifest.json", "pruned.json"]));
    expect(rel.assets.some((a) => a.name.endsWith(".whl.metadata"))).toBe(true);
    expect(gh.snapshot()).toHaveLength(4);
    const page = readFileSync(join(out, "simple", "mlir-python-bindings", "index.html"), "utf8");
    const line = page.split("\n").find((l) => l.includes("-23.0.0.dev2026060200-"))!;
    expect(line).toContain('data-yanked="files pruned by retention on 2026-12-01; restorable bit for bit from its manifest: mlir-release restore 23.0.0.dev2026060200"');
    const yankedLines = page.split("\n").filter((l) => l.includes("data-yanked"));
    expect(yankedLines).toHaveLength(2); // the fixture's two wheels
    expect(yankedLines.every((l) => l.includes("-23.0.0.dev2026060200-"))).toBe(true);
    expect(readFileSync(join(out, "index.html"), "utf8")).toContain("mlir-release restore 23.0.0.dev2026060200</code>");
    // A fresh index from GitHub alone (what CI does) sees the same: pruned, listed, nothing more to prune.
    const root2 = join(tmp(), "index2");
    const again = await syncIndexFromGithub(root2, opts, { serverUrl: gh.url, prune: { policy, now } });
    expect(again.pruned).toEqual([]);
    expect(again.versions).toHaveLength(4);
    expect(readFileSync(join(again.site, "simple", "mlir-python-bindings", "index.html"), "utf8")).toContain("data-yanked=");

    // restore with the GitHub release: the same bytes go back up, pruned.json goes, the yank lifts.
    const st = stages.get("23.0.0.dev2026060200")!;
    const rebuilt = await restore({
      indexRoot: root2,
      version: "23.0.0.dev2026060200",
      outDir: join(tmp(), "rebuilt"),
      github: opts,
      rebuild: async (_p, _m, dir) => {
        mkdirSync(dir, { recursive: true });
        for (const f of st.files) copyFileSync(f.path, join(dir, f.fileName));
      },
      filesUrl: `${gh.url}/o/r/releases/download/v{version}/{file}`,
    });
    expect(rebuilt.artifacts.every((a) => a.equal)).toBe(true);
    expect(gh.snapshot().find((x) => x.tag === "v23.0.0.dev2026060200")!.assets.map((a) => a.name)).not.toContain("pruned.json");
    const healed = await syncIndexFromGithub(join(tmp(), "index3"), opts, { serverUrl: gh.url });
    expect(healed.skipped).toEqual([]);
    expect(readFileSync(join(healed.site, "simple", "mlir-python-bindings", "index.html"), "utf8")).not.toContain("data-yanked");
  });

  it("skips a release whose assets disagree with its manifest, and survives API faults", async () => {
    const st = await stageOf("22.1.9", "numbered");
    await publishGithub(st, opts);
    gh.inject({ kind: "502", method: "GET", path: /\/releases$/ }, { kind: "secondary-rate-limit", method: "GET", path: /releases\/assets\/\d+$/ });
    const root = join(tmp(), "index");
    const r = await syncIndexFromGithub(root, opts, { serverUrl: gh.url });
    expect(r.versions).toEqual(["22.1.9"]);
    expect(gh.requests.some((q) => q.status === 502)).toBe(true);
    expect(gh.requests.some((q) => q.status === 403)).toBe(true);

    // Replace a wheel on the release with other bytes: the release is no longer listed.
    const rel = (await (await fetch(`${gh.url}/repos/o/r/releases/tags/v22.1.9`, { headers: { authorization: `token ${gh.token}` } })).json()) as {
      id: number;
      assets: Array<{ id: number; name: string }>;
    };
    const wheel = rel.assets.find((a) => a.name === st.files[0]!.fileName)!;
    await fetch(`${gh.url}/repos/o/r/releases/assets/${wheel.id}`, { method: "DELETE", headers: { authorization: `token ${gh.token}` } });
    await fetch(`${gh.url}/uploads/repos/o/r/releases/${rel.id}/assets?name=${encodeURIComponent(wheel.name)}`, {
      method: "POST",
      headers: { authorization: `token ${gh.token}`, "content-type": "application/octet-stream", "content-length": "5" },
      body: "other",
    });
    const r2 = await syncIndexFromGithub(join(tmp(), "index2"), opts, { serverUrl: gh.url });
    expect(r2.versions).toEqual([]);
    expect(r2.skipped[0]!.reason).toContain(`${wheel.name} differs from the manifest`);
  });
});
