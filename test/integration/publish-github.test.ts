// The GitHub publisher through real octokit against a real HTTP server on 127.0.0.1.
import { writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { publishGithub, type GithubOptions } from "../../src/publish/github.js";
import { FakeGitHub } from "../support/fake-github.js";
import { stagedFixtureRelease } from "../support/release-fixture.js";

const stageOf = stagedFixtureRelease;

describe("GitHub Releases publisher", () => {
  let gh: FakeGitHub;
  let opts: GithubOptions;
  beforeEach(async () => {
    gh = await new FakeGitHub().start();
    opts = gh.publisherOptions();
  });
  afterEach(async () => gh.stop());

  it("creates one prerelease per snapshot, uploads assets once, reruns skip", async () => {
    const st = await stageOf("23.0.0.dev2026112501");
    const a1 = await publishGithub(st, opts);
    // Two wheels, their PEP 658 .metadata files, then SHA256SUMS and manifest.json (last: the release is complete).
    expect(a1.filter((a) => a.action === "uploaded").map((a) => a.file)).toEqual([...st.files, ...st.metadata, ...st.records].map((f) => f.fileName));
    expect(st.records.map((r) => r.fileName)).toEqual(["SHA256SUMS", "manifest.json"]);
    expect(st.metadata.map((m) => m.fileName)).toEqual(st.files.map((f) => `${f.fileName}.metadata`));
    expect(a1.some((a) => a.action === "created")).toBe(true);
    const snap = gh.snapshot();
    expect(snap).toHaveLength(1);
    expect(snap[0]!.tag).toBe("v23.0.0.dev2026112501");
    expect(snap[0]!.prerelease).toBe(true);
    expect(snap[0]!.body).toBe(st.notes);
    expect(snap[0]!.assets.map((a) => a.digest)).toEqual(
      [...st.files, ...st.metadata, ...st.records].sort((x, y) => (x.fileName < y.fileName ? -1 : 1)).map((f) => `sha256:${f.sha256}`),
    );
    const a2 = await publishGithub(st, opts);
    expect(a2.every((a) => a.action === "skipped")).toBe(true);
    expect(gh.snapshot()).toEqual(snap);
    const res = await fetch(`${gh.url}/o/r/releases/download/v23.0.0.dev2026112501/${st.files[0]!.fileName}`);
    expect(res.status).toBe(200);
  });

  it("survives 5xx, secondary rate limits, a reset mid-upload and a stale half-uploaded asset", async () => {
    const st = await stageOf("22.1.8", "numbered");
    const clean = new FakeGitHub();
    await clean.start();
    await publishGithub(st, clean.publisherOptions());
    const want = clean.snapshot();
    await clean.stop();

    gh.inject(
      { kind: "502", method: "GET", path: /releases\/tags/ },
      { kind: "secondary-rate-limit", method: "POST", path: /\/releases$/ },
      { kind: "reset-mid-upload", method: "POST", path: /uploads/ },
      { kind: "503", method: "POST", path: /uploads/ },
      { kind: "secondary-rate-limit", method: "POST", path: /uploads/ },
      { kind: "500", method: "GET", path: /assets$/ },
    );
    await publishGithub(st, opts);
    expect(gh.faults).toHaveLength(0);
    expect(gh.faultsFired).toHaveLength(6);
    expect(gh.snapshot()).toEqual(want);
    expect(gh.snapshot()[0]!.prerelease).toBe(false);

    // A stale half-uploaded asset on a rerun is replaced.
    const rel = gh.snapshot()[0]!;
    const name = rel.assets[0]!.name;
    const key = "o/r#v22.1.8";
    const r = gh.releases.get(key)!;
    r.assets = r.assets.filter((a) => a.name !== name);
    gh.seedStaleAsset("o", "r", "v22.1.8", name, Buffer.from("PK\x03\x04partial"));
    const acts = await publishGithub(st, opts);
    expect(acts.find((a) => a.file === name)?.action).toBe("replaced-incomplete");
    expect(gh.snapshot()).toEqual(want);
  });

  it("refuses an asset that exists with different bytes and changes nothing", async () => {
    const st = await stageOf("22.1.8", "numbered");
    await publishGithub(st, opts);
    const r = gh.releases.get("o/r#v22.1.8")!;
    r.assets[0]!.digest = `sha256:${"0".repeat(64)}`;
    const before = gh.snapshot();
    await expect(publishGithub(st, opts)).rejects.toThrow(/exists with different bytes[\s\S]*refusing to overwrite/);
    expect(gh.snapshot()).toEqual(before);
  });

  it("never sends a file changed after staging", async () => {
    const st = await stageOf("22.1.8", "numbered");
    writeFileSync(st.files[1]!.path, "tampered");
    await expect(publishGithub(st, opts)).rejects.toThrow(/changed since staging/);
    expect(gh.snapshot()[0]?.assets.map((a) => a.name) ?? []).not.toContain(st.files[1]!.fileName);
  });

  it("reports a bad token as GitHub does (401)", async () => {
    const st = await stageOf("22.1.8", "numbered");
    await expect(publishGithub(st, { ...opts, token: "wrong" })).rejects.toThrow(/Requires authentication/);
  });
});
