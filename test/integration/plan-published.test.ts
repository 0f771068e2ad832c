// `plan --github-repository owner/name`: the daily job learns what was already released from the
// repository's GitHub releases (no disk survives between CI runs). Real CLI, real git fixture,
// releases published by the real publisher to the local GitHub server.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishGithub, type GithubOptions } from "../../src/publish/github.js";
import { REPO } from "../support/env.js";
import { FakeGitHub } from "../support/fake-github.js";
import { type LlvmFixture, makeLlvmFixture } from "../support/llvm-git-fixture.js";
import { stagedFixtureRelease } from "../support/release-fixture.js";

let fx: LlvmFixture;
let gh: FakeGitHub;
let opts: GithubOptions;
beforeAll(async () => {
  fx = await makeLlvmFixture();
  gh = await new FakeGitHub().start();
  opts = gh.publisherOptions();
});
afterAll(async () => {
  await gh.stop();
  rmSync(fx.dir, { recursive: true, force: true });
});

async function publishSnapshot(version: string, commit: string, hooks = {}): Promise<void> {
  await publishGithub(await stagedFixtureRelease(version, "snapshot", commit), opts, hooks);
}

const planCli = async (cutoff: string): Promise<Record<string, unknown>> => {
  const r = await execa(
    "node",
    [join(REPO, "bin", "mlir-release.mjs"), "plan", "--kind", "snapshot", "--repo", fx.dir, "--cutoff", cutoff, "--github-repository", "o/r"],
    { env: { GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url }, cwd: REPO },
  );
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

describe("plan --github-repository: earlier releases from GitHub", () => {
  it("no release when nothing changed since the last published snapshot; the next version skips taken ones", async () => {
    await publishSnapshot("22.0.0.dev2026110100", fx.c["c1"]!);
    // 2026-11-02 changed nothing MLIR is built from since c1, the published snapshot's commit.
    const quiet = await planCli("2026-11-02T23:59:00Z");
    expect(quiet["release"]).toBe(false);
    expect(String(quiet["reason"])).toMatch(/no MLIR-relevant change/);

    // An MLIR change on 11-03: a plan for it, its range starting at the published snapshot.
    const p1 = (await planCli("2026-11-03T12:00:00Z")) as { version: string; llvm: { commit: string }; selection?: { previousCommit?: string } };
    expect(p1.version).toBe("22.0.0.dev2026110300");
    expect(p1.llvm.commit).toBe(fx.c["c3"]);
    expect(p1.selection?.previousCommit).toBe(fx.c["c1"]);

    // Its publish is killed before manifest.json: the version is still taken (the tag exists),
    // and the last complete snapshot is still c1's.
    await expect(
      publishSnapshot("22.0.0.dev2026110300", fx.c["c3"]!, { checkpoint: (p: string) => { if (p === "github:asset:manifest.json") throw new Error("killed"); } }),
    ).rejects.toThrow("killed");
    const p2 = (await planCli("2026-11-03T23:00:00Z")) as { version: string; selection?: { previousCommit?: string } };
    expect(p2.version).toBe("22.0.0.dev2026110301");
    expect(p2.selection?.previousCommit).toBe(fx.c["c1"]);
  });

  it("names the missing token", async () => {
    const r = await execa("node", [join(REPO, "bin", "mlir-release.mjs"), "plan", "--repo", fx.dir, "--github-repository", "o/r"], {
      env: { GITHUB_TOKEN: "", MLIR_RELEASE_GITHUB_TOKEN: "" },
      reject: false,
      cwd: REPO,
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("--github-repository o/r: neither MLIR_RELEASE_GITHUB_TOKEN nor GITHUB_TOKEN is set");
  });
});
