// The LLVM source providers against real inputs: Debian's pinned orig tarball, a small tarball
// made here (digest and version refusals), and a local git repository at a commit.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prebuiltLayer, LayerVersionError } from "../../src/layer/layer.js";
import { DEBIAN_LLVM_22_1_8, gitSource, SourceDigestError, tarballSource } from "../../src/source/tree.js";
import { sha256File } from "../../src/util/hash.js";
import { CACHE, REPO, testEnv, testProgress } from "../support/env.js";

const env = testEnv("source-providers");
const progress = testProgress("source");
const tmp = () => mkdtempSync(join(tmpdir(), "mlir-release-src-"));

function fakeLlvmProject(root: string, version: [number, number, number]): void {
  mkdirSync(join(root, "cmake", "Modules"), { recursive: true });
  mkdirSync(join(root, "mlir", "python"), { recursive: true });
  mkdirSync(join(root, "llvm", "lib", "Support"), { recursive: true });
  writeFileSync(
    join(root, "cmake", "Modules", "LLVMVersion.cmake"),
    `if(NOT DEFINED LLVM_VERSION_MAJOR)\n  set(LLVM_VERSION_MAJOR ${version[0]})\nendif()\nset(LLVM_VERSION_MINOR ${version[1]})\nset(LLVM_VERSION_PATCH ${version[2]})\nset(LLVM_VERSION_SUFFIX)\n`,
  );
  writeFileSync(join(root, "mlir", "python", "CMakeLists.txt"), "# bindings\n");
  writeFileSync(join(root, "llvm", "CMakeLists.txt"), "# llvm\n");
  writeFileSync(join(root, "llvm", "lib", "Support", "big.cpp"), "// not needed by the bindings\n");
}

describe("tarball source", () => {
  it("extracts only what the bindings need from Debian's pinned 22.1.8 tarball", async () => {
    const tree = await tarballSource(DEBIAN_LLVM_22_1_8, { env, progress, cacheDir: CACHE, repoRoot: REPO, expectedVersion: "22.1.8" });
    expect(tree.version.text).toBe("22.1.8");
    expect(tree.identity).toBe(DEBIAN_LLVM_22_1_8.sha256);
    expect(existsSync(join(tree.root, "mlir", "python", "CMakeLists.txt"))).toBe(true);
    expect(existsSync(join(tree.root, "mlir", "lib", "Bindings", "Python", "IRCore.cpp"))).toBe(true);
    expect(existsSync(join(tree.root, "mlir", "examples", "standalone"))).toBe(true);
    expect(existsSync(join(tree.root, "llvm", "lib"))).toBe(false);
    expect(existsSync(join(tree.root, "clang"))).toBe(false);
    expect(await sha256File(join(CACHE, "sources", DEBIAN_LLVM_22_1_8.file))).toBe(DEBIAN_LLVM_22_1_8.sha256);
  });

  it("refuses a tarball whose sha256 differs from the pin, naming the file and both digests", async () => {
    const d = tmp();
    fakeLlvmProject(join(d, "llvm-project-9.9.9"), [9, 9, 9]);
    const tarball = join(d, "llvm.tar.xz");
    execFileSync("tar", ["-cJf", tarball, "-C", d, "llvm-project-9.9.9"]);
    const wrong = "0".repeat(64);
    const ref = { kind: "tarball" as const, file: "llvm.tar.xz", sha256: wrong, origin: {} };
    const err = await tarballSource(ref, { env, progress, cacheDir: join(d, "cache"), repoRoot: REPO }, tarball).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceDigestError);
    expect(String(err)).toContain(tarball);
    expect(String(err)).toContain(`expected ${wrong}`);
    expect(existsSync(join(d, "cache", "trees"))).toBe(false);
  });

  it("refuses a tree whose declared LLVM version is not the one asked for", async () => {
    const d = tmp();
    fakeLlvmProject(join(d, "llvm-project-9.9.9"), [9, 9, 9]);
    const tarball = join(d, "llvm.tar.xz");
    execFileSync("tar", ["-cJf", tarball, "-C", d, "llvm-project-9.9.9"]);
    const ref = { kind: "tarball" as const, file: "llvm.tar.xz", sha256: await sha256File(tarball), origin: {} };
    const opts = { env, progress, cacheDir: join(d, "cache"), repoRoot: REPO };
    await expect(tarballSource(ref, { ...opts, expectedVersion: "22.1.8" }, tarball)).rejects.toThrow(/declares LLVM 9\.9\.9, but 22\.1\.8 was asked for/);
    const tree = await tarballSource(ref, opts, tarball);
    expect(tree.version.text).toBe("9.9.9");
    expect(existsSync(join(tree.root, "llvm", "lib", "Support", "big.cpp"))).toBe(false);
  });

  it("says where a missing tarball would come from", async () => {
    const ref = { kind: "tarball" as const, file: "nowhere.tar.xz", sha256: "1".repeat(64), origin: {} };
    await expect(tarballSource(ref, { env, progress, cacheDir: tmp(), repoRoot: REPO })).rejects.toThrow(/nowhere\.tar\.xz is missing and its ref names no origin/);
  });
});

describe("git source", () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], { cwd, encoding: "utf8" }).trim();

  it("checks out exactly the commit asked for, sparse, and refuses an unknown one", async () => {
    const repo = tmp();
    git(repo, "init", "-q", "-b", "main");
    fakeLlvmProject(repo, [21, 1, 0]);
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "21.1.0");
    const first = git(repo, "rev-parse", "HEAD");
    fakeLlvmProject(repo, [22, 1, 8]);
    git(repo, "commit", "-qam", "22.1.8");
    const cacheDir = tmp();
    const tree = await gitSource({ kind: "git", repository: `file://${repo}`, commit: first }, { env, progress, cacheDir, repoRoot: REPO });
    expect(tree.version.text).toBe("21.1.0");
    expect(tree.identity).toBe(first);
    expect(existsSync(join(tree.root, "llvm", "lib", "Support", "big.cpp"))).toBe(false);
    expect(existsSync(join(tree.root, "mlir", "python", "CMakeLists.txt"))).toBe(true);
    await expect(
      gitSource({ kind: "git", repository: `file://${repo}`, commit: "f".repeat(40) }, { env, progress, cacheDir, repoRoot: REPO }),
    ).rejects.toThrow(/command failed.*git.*fetch/s);
  });
});

describe("prebuilt layer", () => {
  it("accepts Debian's /usr/lib/llvm-22 for a 22.1.8 tree and refuses it for another version", () => {
    const tree = (text: string) => ({ root: "/src", version: { major: 0, minor: 0, patch: 0, suffix: "", text }, identity: "x", ref: { kind: "dir" as const, path: "/src" } });
    const layer = prebuiltLayer("/usr/lib/llvm-22", tree("22.1.8"), "linux-x86_64");
    expect(layer.version).toBe("22.1.8");
    expect(layer.mlirCmakeDir).toBe("/usr/lib/llvm-22/lib/cmake/mlir");
    expect(() => prebuiltLayer("/usr/lib/llvm-22", tree("19.1.7"), "linux-x86_64")).toThrow(LayerVersionError);
    expect(() => prebuiltLayer("/usr/lib/llvm-22", tree("19.1.7"), "linux-x86_64")).toThrow(/is LLVM 22\.1\.8, but the source tree .* is 19\.1\.7/);
    expect(() => prebuiltLayer("/nonexistent", tree("22.1.8"), "linux-x86_64")).toThrow(/has no lib\/cmake\/llvm\/LLVMConfig.cmake/);
  });
});
