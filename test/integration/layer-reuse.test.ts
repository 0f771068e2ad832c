// Layer reuse by key: a full from-source layer build (configure, ninja install) of the small CMake
// stand-in for llvm/ (test/fixtures/mini-layer) is archived into a layer store; a second build of
// the same key on a machine with an empty cache restores it from the store and builds nothing
// (its build log has no cmake or ninja command); a changed option is another key and builds; a
// tampered archive is refused before anything is extracted.
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dirLayerStore, LayerArtifactDigestError, layerArchiveName, LayerKey, packLayerArgv } from "../../src/layer/artifact.js";
import { LAYER_STAMP, sourceLayer, sourceLayerKey } from "../../src/layer/layer.js";
import { CompilerCacheSettings } from "../../src/schema/config.js";
import { readTreeVersion, type LlvmSourceTree } from "../../src/source/tree.js";
import { REPO, TOOLS, testEnv, testProgress } from "../support/env.js";

const work = mkdtempSync(join(tmpdir(), "mlir-release-layer-reuse-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const root = join(work, "llvm-project");
cpSync(join(REPO, "test", "fixtures", "mini-layer"), root, { recursive: true });
const tree: LlvmSourceTree = { root, version: readTreeVersion(root), identity: "fixture:mini-layer", ref: { kind: "dir", path: root } };
const store = dirLayerStore(join(work, "layer-store"));

const filesOf = (dir: string): Map<string, string> => {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name)).toString("base64"));
  }
  return out;
};

async function layerOn(machine: string, cmakeOptions: Record<string, string> = { CMAKE_BUILD_TYPE: "Release" }) {
  const env = testEnv(`layer-reuse-${machine}`);
  rmSync(env.logFile, { force: true });
  const layer = await sourceLayer(tree, {
    env,
    progress: testProgress(`layer-reuse-${machine}`),
    cacheDir: join(work, machine, "cache"),
    platform: "linux-x86_64",
    cmakeOptions,
    compilerCache: CompilerCacheSettings.parse({ kind: "none" }),
    sccache: join(TOOLS, "bin", "sccache"),
    store,
  });
  return { layer, log: existsSync(env.logFile) ? readFileSync(env.logFile, "utf8") : "" };
}

const commands = (log: string): string[] => log.split("\n").filter((l) => l.startsWith("$ ")).map((l) => l.slice(2).split(" ")[0] as string);

describe("layer reuse by key", () => {
  it("builds and archives once, then restores on an empty cache without building", async () => {
    const first = await layerOn("first");
    expect(first.layer.origin).toBe("built");
    expect(commands(first.log)).toEqual(expect.arrayContaining(["cmake", "ninja", "tar"]));
    expect(first.log).toMatch(/Building CXX object/);
    const key = sourceLayerKey(tree, "linux-x86_64", { CMAKE_BUILD_TYPE: "Release" });
    expect(first.layer.key).toBe(key);
    expect(existsSync(join(store.root, layerArchiveName(key)))).toBe(true);
    expect(existsSync(join(store.root, `${layerArchiveName(key)}.json`))).toBe(true);

    const second = await layerOn("second");
    expect(second.layer.origin).toBe("archive");
    expect(second.layer.key).toBe(key);
    expect(second.layer.prefix).not.toBe(first.layer.prefix);
    expect(second.layer.version).toBe("22.1.8");
    expect(commands(second.log)).toEqual(["tar"]);
    expect(second.log).not.toMatch(/Building CXX object|Linking CXX|ninja|cmake/);
    expect(filesOf(second.layer.prefix)).toEqual(filesOf(first.layer.prefix));
    expect(JSON.parse(readFileSync(join(second.layer.prefix, LAYER_STAMP), "utf8"))).toMatchObject({ key });

    const third = await layerOn("second");
    expect(third.layer.origin).toBe("cache");
    expect(third.log).toBe("");
  }, 120_000);

  it("another option is another key: built, not restored", async () => {
    const other = await layerOn("other", { CMAKE_BUILD_TYPE: "Release", MINI_UNUSED_OPTION: "1" });
    expect(other.layer.origin).toBe("built");
    expect(other.layer.key).not.toBe(sourceLayerKey(tree, "linux-x86_64", { CMAKE_BUILD_TYPE: "Release" }));
    expect(other.log).toMatch(/Building CXX object/);
  }, 120_000);

  it("refuses a tampered archive with a one-line error naming it", async () => {
    const key = sourceLayerKey(tree, "linux-x86_64", { CMAKE_BUILD_TYPE: "Release" });
    appendFileSync(join(store.root, layerArchiveName(key)), "x");
    await expect(layerOn("third")).rejects.toThrow(LayerArtifactDigestError);
    await expect(layerOn("third")).rejects.toThrow(/layer archive .*: sha256 is [0-9a-f]{64}, its record says [0-9a-f]{64}; delete both files/);
    expect(existsSync(join(work, "third", "cache", "layers", key, "install"))).toBe(false);
  }, 60_000);

  it("keys and archive argv", () => {
    expect(() => LayerKey.parse("../x-0123456789abcdef")).toThrow();
    expect(() => layerArchiveName("linux-x86_64-0123")).toThrow(/a layer key/);
    expect(layerArchiveName("linux-x86_64-0123456789abcdef")).toBe("mlir-release-layer-linux-x86_64-0123456789abcdef.tar.zst");
    const argv = packLayerArgv("/i", "/o.tar.zst", 86400);
    expect(argv).toEqual(expect.arrayContaining(["--sort=name", "--mtime=@86400", "--owner=0", "--group=0", "--numeric-owner"]));
    expect(argv.slice(-4)).toEqual(["-C", "/i", "--", "."]);
  });
});
