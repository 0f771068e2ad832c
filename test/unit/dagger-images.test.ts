// The image lock: its schema, the refusal of placeholder pins, and that every image reference in
// the repository comes from it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { buildImageFor, imageRef, linuxArch, loadImagesLock, LOCK_PATH, looksLikePlaceholderHex, unresolvedPins } from "../../src/platforms/images.js";
import { InvalidInputError } from "../../src/errors.js";
import { ImagesLock } from "../../src/schema/images-lock.js";
import { hexOf, resolvedLock } from "../support/dagger-lock.js";

const ROOT = resolve(import.meta.dirname, "../..");
const lock = loadImagesLock(ROOT);

describe("images.lock.json", () => {
  it("pins manylinux2014 and manylinux_2_28 for x86_64 and aarch64 from the pypa repositories", () => {
    const pairs = Object.values(lock.images).map((i) => `${i.policy} ${i.platform} ${i.repository}`).sort();
    expect(pairs).toEqual([
      "manylinux2014 linux/amd64 pypa/manylinux2014_x86_64",
      "manylinux2014 linux/arm64 pypa/manylinux2014_aarch64",
      "manylinux_2_28 linux/amd64 pypa/manylinux_2_28_x86_64",
      "manylinux_2_28 linux/arm64 pypa/manylinux_2_28_aarch64",
    ]);
  });

  it("names no registry host: repositories are host-free and the hosts come from the variables the lock names", () => {
    expect(lock.registryEnv).toBe("MLIR_RELEASE_IMAGE_REGISTRY");
    expect(lock.node.distEnv).toBe("MLIR_RELEASE_NODE_DIST_URL");
    for (const i of Object.values(lock.images)) expect(i.repository).toMatch(/^pypa\/manylinux[a-z0-9_]+$/);
    for (const b of Object.values(lock.node.builds)) expect(b.file).toMatch(new RegExp(`^node-v${(b.version ?? lock.node.version).replace(/\./g, "\\.")}-linux-[a-z0-9-]+\\.tar\\.xz$`));
    const withHost = { ...lock.images["manylinux2014_x86_64"]!, repository: ["registry.example.org", "pypa", "manylinux2014_x86_64"].join("/") };
    expect(() => ImagesLock.parse({ ...lock, images: { manylinux2014_x86_64: withHost } })).toThrow(/without a registry host/);
  });

  it("every resolved pin is a real digest with its tag, date and the public source it was found in", () => {
    const pins = [
      ...Object.entries(lock.images).map(([k, i]) => ({ k, hex: i.digest.slice("sha256:".length), ...i })),
      ...Object.entries(lock.node.builds).map(([k, b]) => ({ k, hex: b.sha256, tag: b.version ?? lock.node.version, ...b })),
    ];
    // Every pin the lock names is resolved: no placeholder is left, images and Node builds alike.
    for (const p of pins) expect(p.placeholder, p.k).toBe(false);
    for (const p of pins.filter((x) => !x.placeholder)) {
      expect(p.hex, p.k).toMatch(/^[0-9a-f]{64}$/);
      expect(looksLikePlaceholderHex(p.hex), `${p.k} ${p.hex}`).toBe(false);
      expect(p.tag, p.k).not.toBe("latest");
      expect(p.date, p.k).toMatch(/^20\d\d-\d\d-\d\d$/);
      expect(p.source, p.k).toBeDefined();
      if (p.source!.kind === "published-pin") {
        expect(p.source!.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
        expect(p.source!.commit).toMatch(/^[0-9a-f]{40}$/);
      }
    }
    expect(unresolvedPins(lock)).toEqual([]);
    expect(pins.map((p) => p.k).sort()).toEqual([...Object.keys(lock.images), ...Object.keys(lock.node.builds)].sort());
  });

  it("tells made-up digests from computed ones, and the schema wants a source for every resolved pin", () => {
    for (const fake of ["0".repeat(64), "a".repeat(64), "ab".repeat(32), "0123456789abcdef".repeat(4), "deadbeef".repeat(8)]) {
      expect(looksLikePlaceholderHex(fake), fake).toBe(true);
    }
    expect(looksLikePlaceholderHex(hexOf("a real hash"))).toBe(false);
    const i = lock.images["manylinux2014_x86_64"]!;
    const { source: _s, ...unsourced } = i;
    expect(() => ImagesLock.parse({ ...lock, images: { manylinux2014_x86_64: unsourced } })).toThrow(/source.*where the digest was found/s);
    // A placeholder-looking digest not marked as placeholder is still refused by the build.
    const fake = { ...lock, images: { ...lock.images, manylinux_2_28_x86_64: { ...lock.images["manylinux_2_28_x86_64"]!, digest: `sha256:${"ab".repeat(32)}` } } };
    expect(() => buildImageFor(fake, "linux-x86_64", "manylinux_2_28")).toThrow(/image manylinux_2_28_x86_64 is a placeholder/);
    expect(buildImageFor(lock, "linux-x86_64", "manylinux_2_28").ref).toBe(`pypa/manylinux_2_28_x86_64@${lock.images["manylinux_2_28_x86_64"]!.digest}`);
  });

  it("refuses placeholder pins with a message that says how to fix them", () => {
    const placeholderLock = { ...lock, images: { ...lock.images } };
    for (const [k, i] of Object.entries(placeholderLock.images)) placeholderLock.images[k] = { ...i, placeholder: true };
    expect(() => buildImageFor(placeholderLock, "linux-x86_64", "manylinux2014")).toThrow(/placeholder.*refresh-image-pins\.sh/s);
    expect(() => buildImageFor(placeholderLock, "linux-x86_64", "manylinux2014", true)).not.toThrow();
  });

  it("chooses the image by platform and policy, and a Node build the image's glibc can run", () => {
    const r = resolvedLock();
    const x14 = buildImageFor(r, "linux-x86_64", "manylinux2014");
    expect(x14.ref).toBe(imageRef(r.images["manylinux2014_x86_64"]!));
    // The lock and the recorded pin name no registry; the pull reference takes the host from the environment.
    expect(x14.ref).toMatch(/^pypa\/manylinux2014_x86_64@sha256:[0-9a-f]{64}$/);
    const env = { MLIR_RELEASE_IMAGE_REGISTRY: "registry.example.org", MLIR_RELEASE_NODE_DIST_URL: "https://downloads.example.org/node/" };
    expect(x14.pullRef(env)).toBe(`registry.example.org/${x14.ref}`);
    // The glibc-2.17 build pins its own Node version (the newest with a published checksum).
    const v14 = r.node.builds["node-x86_64-glibc-2.17"]!.version ?? r.node.version;
    expect(x14.nodeUrl(env)).toBe(`https://downloads.example.org/node/v${v14}/node-v${v14}-linux-x64-glibc-217.tar.xz`);
    expect(() => x14.pullRef({})).toThrow(/MLIR_RELEASE_IMAGE_REGISTRY is not set: set it to the host\[:port\] of the registry that serves pypa's manylinux images/);
    expect(() => x14.nodeUrl({})).toThrow(/MLIR_RELEASE_NODE_DIST_URL is not set: .*v20\.18\.2\/node-v20\.18\.2-linux-x64-glibc-217\.tar\.xz/);
    expect(() => x14.nodeUrl({ MLIR_RELEASE_NODE_DIST_URL: "downloads.example.org" })).toThrow(/expected an http\(s\) base URL/);
    expect(x14.node.key).toBe("node-x86_64-glibc-2.17");
    expect(buildImageFor(r, "linux-x86_64", "manylinux_2_28").node.key).toBe("node-x86_64-glibc-2.28");
    const a28 = buildImageFor(r, "linux-aarch64", "manylinux_2_28");
    expect(a28.key).toBe("manylinux_2_28_aarch64");
    expect(a28.node.key).toBe("node-aarch64-glibc-2.28");
    // No Node 20 build runs on glibc 2.17 aarch64: the error says which policy to use.
    expect(() => buildImageFor(r, "linux-aarch64", "manylinux2014")).toThrow(/use --policy manylinux_2_28/);
  });

  it("sends macOS and Windows to the host CLI", () => {
    expect(linuxArch("linux-aarch64")).toBe("aarch64");
    expect(() => linuxArch("macos-arm64")).toThrow(InvalidInputError);
    expect(() => linuxArch("windows-x64")).toThrow(/host CLI on a Windows runner.*--windows\)/s);
  });
});

describe("every image reference in the repository comes from the lock", () => {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
    .toString()
    .split("\n")
    .filter((f) => f && f !== LOCK_PATH && !/\.(whl|tar|xz|gz|zst|png|so)$/.test(f));
  const lockedRefs = new Set(Object.values(lock.images).map(imageRef));
  const lockedRepos = new Set(Object.values(lock.images).map((i) => i.repository));

  /** Test fixtures name images on the project's placeholder hosts, which serve no images to pull. */
  const FIXTURE_HOST = /^((?:[a-z0-9-]+\.)*example\.(?:org|net|com)|localhost|127\.0\.0\.1)(:\d+)?\//;

  /** Image-looking references: registry paths, workflow container/image keys, Dockerfile FROM, docker:// uses. */
  function references(text: string, file: string): string[] {
    const found: string[] = [];
    const patterns = [
      /\b((?:[a-z0-9-]+\.)+[a-z]{2,}\/[a-z0-9._/-]*manylinux[a-z0-9_/-]*(?:[:@][A-Za-z0-9._:-]*[A-Za-z0-9])?)/g,
      /(?<![.\w/])(pypa\/manylinux[a-z0-9_]*(?:[:@][A-Za-z0-9._:-]*[A-Za-z0-9])?)/g,
      /uses:\s*["']?docker:\/\/([^\s"']+)/g,
    ];
    if (/\.ya?ml$/.test(file)) patterns.push(/^\s*(?:image|container):\s*["']?([^\s"'#]+)/gm);
    if (/(Dockerfile|Containerfile)[^/]*$/.test(file)) patterns.push(/^\s*FROM\s+(\S+)/gm);
    for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]) found.push(m[1].replace(/[.]$/, ""));
    return [...new Set(found)];
  }

  it("scans a real set of files", () => {
    expect(files.length).toBeGreaterThan(20);
    // Built at run time so this file does not contain the references it feeds the scanner.
    const tagged = ["registry.example.net", "pypa", "manylinux2014_x86_64:2024.01"].join("/");
    expect(references(`FROM ${tagged}\n`, "Dockerfile")).toEqual([tagged]);
    expect(references(`see ${tagged}.`, "notes.md")).toEqual([tagged]);
    expect(references("jobs:\n  b:\n    container: debian:12\n", "w.yml")).toEqual(["debian:12"]);
    expect(references("image: string;", "x.ts")).toEqual([]);
    expect(FIXTURE_HOST.test("example.org/manylinux@sha256:00")).toBe(true);
    expect(FIXTURE_HOST.test("registry.example.org/pypa/manylinux2014_x86_64")).toBe(true);
    expect(FIXTURE_HOST.test(["registry.example.org.evil", "pypa", "manylinux2014_x86_64"].join("/"))).toBe(false);
    expect(FIXTURE_HOST.test(`${Object.values(lock.images)[0]!.repository}:latest`)).toBe(false);
  });

  it("finds no reference that is not a locked repository or a locked digest reference", () => {
    const offenders: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, f), "utf8");
      } catch {
        continue; // deleted in the work tree
      }
      for (const ref of references(text, f)) {
        const ok = lockedRefs.has(ref) || lockedRepos.has(ref) || FIXTURE_HOST.test(ref);
        // ${{ matrix.image }}-style expressions are resolved from the lock by the workflow's plan step.
        if (!ok && !ref.startsWith("${{")) offenders.push(`${f}: ${ref}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
