// The layer store that survives CI runs, against the local fake GitHub (test/support/fake-github.ts):
// a from-source layer build (the small CMake stand-in for llvm/, test/fixtures/mini-layer) leaves
// its archive in the local store; the workflow's `layers` command (`mlir-release layer-store push`,
// the real CLI) uploads it to the `layers` release; a second build on a machine with an empty cache,
// reading the store the way the host job does (MLIR_RELEASE_LAYER_STORE=github, GITHUB_REPOSITORY,
// GITHUB_API_URL), restores it and builds no LLVM target (its build log has no cmake or ninja
// command). A tampered asset — other bytes behind the same record, or a record that does not match
// the archive — is refused before anything is extracted, and a second push of other bytes under
// the same key is refused too.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dirLayerStore, LayerArtifactDigestError, layerArchiveName, type LayerStore } from "../../src/layer/artifact.js";
import { githubLayerStore, LAYER_DOWNLOADS_DIR, LayerStoreConflictError, pushLayers, readThroughStore } from "../../src/layer/github-store.js";
import { layerStoreTarget } from "../../src/options/environment.js";
import { githubTokenOf } from "../../src/options/resolve-options.js";

/** The store a build reads through, as the resolved options name it from this environment. */
const layerStoreFromEnv = (local: LayerStore, env: Readonly<Record<string, string | undefined>> = process.env): LayerStore =>
  readThroughStore(local, layerStoreTarget(env, githubTokenOf(env)));
import { sourceLayer, sourceLayerKey } from "../../src/layer/layer.js";
import { CompilerCacheSettings } from "../../src/schema/config.js";
import { readTreeVersion, type LlvmSourceTree } from "../../src/source/tree.js";
import { REPO, TOOLS, testEnv, testProgress } from "../support/env.js";
import { FakeGitHub } from "../support/fake-github.js";

const work = mkdtempSync(join(tmpdir(), "mlir-release-layer-store-"));
const root = join(work, "llvm-project");
cpSync(join(REPO, "test", "fixtures", "mini-layer"), root, { recursive: true });
const tree: LlvmSourceTree = { root, version: readTreeVersion(root), identity: "fixture:mini-layer-store", ref: { kind: "dir", path: root } };
const OPTIONS = { CMAKE_BUILD_TYPE: "Release" };
const key = sourceLayerKey(tree, "linux-x86_64", OPTIONS);
const name = layerArchiveName(key);

let gh: FakeGitHub;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  gh = await new FakeGitHub().start();
  // What a runner's environment gives the host job's build step.
  for (const [k, v] of Object.entries({ MLIR_RELEASE_LAYER_STORE: "github", GITHUB_REPOSITORY: "o/r", GITHUB_API_URL: gh.url, GITHUB_TOKEN: gh.token, MLIR_RELEASE_GITHUB_TOKEN: undefined })) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  await gh.stop();
  rmSync(work, { recursive: true, force: true });
});

const localStore = (machine: string) => dirLayerStore(join(work, machine, "cache", "layer-artifacts"));
/** Where the read-through store keeps what it downloaded: beside the local store, not in it. */
const downloads = (machine: string) => join(work, machine, "cache", LAYER_DOWNLOADS_DIR);
const filesIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

async function layerOn(machine: string) {
  const env = testEnv(`layer-store-${machine}`);
  rmSync(env.logFile, { force: true });
  const layer = await sourceLayer(tree, {
    env,
    progress: testProgress(`layer-store-${machine}`),
    cacheDir: join(work, machine, "cache"),
    platform: "linux-x86_64",
    cmakeOptions: OPTIONS,
    compilerCache: CompilerCacheSettings.parse({ kind: "none" }),
    sccache: join(TOOLS, "bin", "sccache"),
    // As the factory makes it: the local store, read through to the store the environment names.
    store: layerStoreFromEnv(localStore(machine)),
  });
  return { layer, log: existsSync(env.logFile) ? readFileSync(env.logFile, "utf8") : "" };
}

const commands = (log: string): string[] => log.split("\n").filter((l) => l.startsWith("$ ")).map((l) => l.slice(2).split(" ")[0] as string);
const pushCli = (from: string) =>
  execa(process.execPath, ["--import", "tsx", join(REPO, "src", "cli.ts"), "layer-store", "push", "--from", from, "--github-repository", "o/r"], { cwd: REPO, reject: false });
const storeRelease = () => gh.releases.get("o/r#layers");

describe("the layer store on GitHub Releases", () => {
  it("a build on an empty store builds; the layers job's command uploads the pair; a fresh machine restores it without building", async () => {
    const first = await layerOn("first");
    expect(first.layer.origin).toBe("built");
    expect(first.log).toMatch(/Building CXX object/);
    expect(storeRelease()).toBeUndefined(); // builds only read the store

    const pushed = await pushCli(join(work, "first", "cache", "layer-artifacts"));
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stdout.trim()).toBe(`uploaded  ${key}`);
    const rel = storeRelease()!;
    expect(rel.prerelease).toBe(true);
    expect(rel.assets.map((a) => `${a.name} ${a.state}`)).toEqual([`${name} uploaded`, `${name}.json uploaded`]);
    const again = await pushCli(join(work, "first", "cache", "layer-artifacts"));
    expect(again.stdout.trim()).toBe(`skipped  ${key}`);

    const second = await layerOn("second");
    expect(second.layer.origin).toBe("archive");
    expect(second.layer.key).toBe(key);
    expect(commands(second.log)).toEqual(["tar"]);
    expect(second.log).not.toMatch(/Building CXX object|Linking CXX|ninja|cmake/);
    expect(filesIn(downloads("second"))).toEqual([name, `${name}.json`]);
    expect(readFileSync(join(downloads("second"), name))).toEqual(readFileSync(join(localStore("first").root, name)));
    // The restored pair is not in the local store, so a trusted run hands nothing on for it.
    expect(filesIn(localStore("second").root)).toEqual([]);
    const handedOn = await pushCli(localStore("second").root);
    expect(handedOn.stdout.trim()).toBe("nothing to push");
    // The next build on that machine takes the downloaded pair without asking the store again.
    rmSync(join(work, "second", "cache", "layers"), { recursive: true, force: true });
    const requests = gh.requests.length;
    const third = await layerOn("second");
    expect(third.layer.origin).toBe("archive");
    expect(gh.requests.length).toBe(requests);
  }, 180_000);

  it("refuses an archive whose bytes differ from its record (same size, no GitHub digest), extracting nothing", async () => {
    const archive = storeRelease()!.assets.find((a) => a.name === name)!;
    const good = { data: archive.data, digest: archive.digest };
    const bad = Buffer.from(archive.data);
    const mid = bad.length >> 1;
    bad.writeUInt8(bad.readUInt8(mid) ^ 0xff, mid);
    Object.assign(archive, { data: bad, digest: null });
    try {
      await expect(layerOn("third")).rejects.toThrow(LayerArtifactDigestError);
      await expect(layerOn("third")).rejects.toThrow(new RegExp(`layer asset ${name.replace(/\./g, "\\.")} in the release layers of o/r: sha256 is [0-9a-f]{64}, its record says [0-9a-f]{64}; refused, nothing extracted`));
      expect(existsSync(join(work, "third", "cache", "layers", key, "install"))).toBe(false);
      expect(filesIn(localStore("third").root)).toEqual([]);
      expect(filesIn(downloads("third"))).toEqual([]);
    } finally {
      Object.assign(archive, good);
    }
  }, 120_000);

  it("refuses an archive that does not match GitHub's digest of it, before downloading it", async () => {
    const archive = storeRelease()!.assets.find((a) => a.name === name)!;
    const good = archive.digest;
    archive.digest = `sha256:${"1234abcd".repeat(7)}0f0f0f0f`;
    try {
      await expect(layerOn("fourth")).rejects.toThrow(/its record says \d+ bytes, sha256:[0-9a-f]{64}; refused, nothing extracted/);
      expect(existsSync(join(work, "fourth", "cache", "layers", key, "install"))).toBe(false);
    } finally {
      archive.digest = good;
    }
  }, 60_000);

  it("refuses to overwrite a key's layer with other bytes, and pushes nothing whose archive does not match its own record", async () => {
    const other = join(work, "other");
    cpSync(localStore("first").root, other, { recursive: true });
    const store = githubLayerStore(dirLayerStore(other), { ...gh.publisherOptions("o", "r") });
    expect(store.root).toMatch(/then the release layers of o\/r/);
    // Other bytes under the same key, with a record that matches them: the store already has the key.
    const rec = JSON.parse(readFileSync(join(other, `${name}.json`), "utf8")) as { sha256: string; bytes: number };
    const bytes = Buffer.concat([readFileSync(join(other, name)), Buffer.from("x")]);
    const { writeFileSync } = await import("node:fs");
    const { createHash } = await import("node:crypto");
    writeFileSync(join(other, name), bytes);
    writeFileSync(join(other, `${name}.json`), JSON.stringify({ ...rec, key, file: name, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length }));
    await expect(pushLayers(other, gh.publisherOptions("o", "r"))).rejects.toThrow(LayerStoreConflictError);
    // An archive that does not match its own record never leaves the machine.
    writeFileSync(join(other, `${name}.json`), JSON.stringify({ ...rec, key, file: name }));
    await expect(pushLayers(other, gh.publisherOptions("o", "r"))).rejects.toThrow(/sha256 is [0-9a-f]{64}, its record says [0-9a-f]{64}; nothing pushed/);
    expect(storeRelease()!.assets.map((a) => a.name)).toEqual([name, `${name}.json`]);
    // No folder at all (every layer was restored or prebuilt): nothing to push, exit 0.
    const none = await pushCli(join(work, "no-such-dir"));
    expect(none.exitCode).toBe(0);
    expect(none.stdout.trim()).toBe("nothing to push");
  }, 60_000);

  it("the store spec is validated: a bad MLIR_RELEASE_LAYER_STORE is one line naming it", () => {
    expect(() => layerStoreFromEnv(localStore("x"), { MLIR_RELEASE_LAYER_STORE: "s3://bucket" })).toThrow(/MLIR_RELEASE_LAYER_STORE.*local \| github \| github:<owner>\/<name>/);
    expect(() => layerStoreFromEnv(localStore("x"), { MLIR_RELEASE_LAYER_STORE: "github" })).toThrow(/GITHUB_REPOSITORY is not set/);
    expect(layerStoreFromEnv(localStore("x"), {}).root).toBe(localStore("x").root);
  });
});
