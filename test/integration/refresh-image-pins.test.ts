// containers/refresh-image-pins.sh against real skopeo reading local OCI layouts (the registry's
// stand-in: same manifests, same digests) and curl reading file:// downloads.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadImagesLock } from "../../src/platforms/images.js";
import { ImagesLock } from "../../src/schema/images-lock.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SCRIPT = join(ROOT, "containers/refresh-image-pins.sh");
const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

/** An OCI image layout at dir whose tag `tag` points at a manifest; returns that manifest's digest. */
function ociLayout(dir: string, tag: string, label: string): string {
  mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
  const config = JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { label } }, rootfs: { type: "layers", diff_ids: [] } });
  writeFileSync(join(dir, "blobs/sha256", sha(config)), config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${sha(config)}`, size: config.length },
    layers: [],
  });
  writeFileSync(join(dir, "blobs/sha256", sha(manifest)), manifest);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${sha(manifest)}`, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": tag } }],
    }),
  );
  return `sha256:${sha(manifest)}`;
}

let work: string;
let lockPath: string;
const expected: Record<string, string> = {};
const expectedNode: Record<string, string> = {};

// The lock names no hosts; these placeholders stand in for the registry host and the download base.
const REGISTRY = "registry.example.org";
let hostEnv: Record<string, string> = {};
let extraEnv: Record<string, string | undefined> = {};

function refresh(...args: string[]) {
  const r = spawnSync("bash", [SCRIPT, ...args], { cwd: join(work, "registry"), encoding: "utf8", env: { ...process.env, LOCK: lockPath, IMAGE_TRANSPORT: "oci:", ...hostEnv, ...extraEnv }, timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  execFileSync("skopeo", ["--version"]); // installed by ci/setup.d/50-dagger.sh; fails loudly if missing
  work = mkdtempSync(join(tmpdir(), "refresh-pins-"));
  const lock = loadImagesLock(ROOT);
  for (const [key, img] of Object.entries(lock.images)) expected[key] = ociLayout(join(work, "registry", REGISTRY, img.repository), img.tag, key);
  for (const [key, b] of Object.entries(lock.node.builds)) {
    // <base>/v<version>/<file>, with the build's own version where it pins one.
    const dist = join(work, "node-dist", `v${b.version ?? lock.node.version}`);
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, b.file), `not really node: ${key}`);
    expectedNode[key] = sha(`not really node: ${key}`);
  }
  hostEnv = { [lock.registryEnv]: REGISTRY, [lock.node.distEnv]: `file://${join(work, "node-dist")}/` };
  lockPath = join(work, "images.lock.json");
  writeFileSync(lockPath, JSON.stringify(lock, null, 2));
});

describe("refresh-image-pins.sh", () => {
  it("a missing registry or download base is an error naming the variable, and the lock is untouched", () => {
    const before = readFileSync(lockPath, "utf8");
    extraEnv = { MLIR_RELEASE_IMAGE_REGISTRY: "" };
    const noRegistry = refresh();
    extraEnv = { MLIR_RELEASE_NODE_DIST_URL: "" };
    const noDist = refresh();
    extraEnv = {};
    expect(noRegistry.code).not.toBe(0);
    expect(noRegistry.out).toMatch(/MLIR_RELEASE_IMAGE_REGISTRY is not set: set it to the host\[:port\] of the registry that serves pypa's manylinux images/);
    expect(noDist.code).not.toBe(0);
    expect(noDist.out).toMatch(/MLIR_RELEASE_NODE_DIST_URL is not set: set it to the base URL of a Node\.js release mirror/);
    expect(readFileSync(lockPath, "utf8")).toBe(before);
  });

  it("--check fails on a lock with placeholders, naming them", () => {
    const r = refresh("--check");
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/pins differ from the registry for: .*manylinux2014_x86_64/);
  });

  it("resolves every image to the digest of the manifest its tag points at and records the refresh", () => {
    const r = refresh();
    expect(r.code, r.out).toBe(0);
    const lock = ImagesLock.parse(JSON.parse(readFileSync(lockPath, "utf8")));
    expect(Object.fromEntries(Object.entries(lock.images).map(([k, i]) => [k, i.digest]))).toEqual(expected);
    expect(Object.fromEntries(Object.entries(lock.node.builds).map(([k, b]) => [k, b.sha256]))).toEqual(expectedNode);
    expect([...Object.values(lock.images), ...Object.values(lock.node.builds)].every((x) => !x.placeholder)).toBe(true);
    // Each changed pin records where it now comes from (the registry, no host named) and when.
    for (const x of [...Object.values(lock.images), ...Object.values(lock.node.builds)]) {
      expect(x.source).toEqual({ kind: "registry", by: "containers/refresh-image-pins.sh" });
      expect(x.date).toMatch(/^\d{4}-\d\d-\d\d$/);
    }
    expect(lock.refreshed.registryAccess).toBe(true);
    expect(lock.refreshed.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(refresh("--check")).toMatchObject({ code: 0 });
  });

  it("--check notices a tag that moved, and a missing image stops the refresh with its name", () => {
    const { repository: repo, tag } = loadImagesLock(ROOT).images["manylinux_2_28_aarch64"]!;
    ociLayout(join(work, "registry", REGISTRY, repo), tag, "moved");
    const r = refresh("--check");
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/differ from the registry for: manylinux_2_28_aarch64$/m);
    const before = readFileSync(lockPath, "utf8");
    const lock = JSON.parse(before) as ImagesLock;
    lock.images["manylinux2014_x86_64"]!.tag = "no-such-tag";
    writeFileSync(lockPath, JSON.stringify(lock));
    const missing = refresh();
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/could not inspect oci:registry\.example\.org\/pypa\/manylinux2014_x86_64:no-such-tag/);
    expect(JSON.parse(readFileSync(lockPath, "utf8"))).toEqual(lock); // untouched on failure
  });
});
