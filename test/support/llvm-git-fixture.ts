// A small, realistic LLVM-like git repository for the selection tests: the version file in
// cmake/Modules/LLVMVersion.cmake, mlir/, llvm/, clang/, a release branch with rc and final
// tags (annotated and lightweight), a version bump on main, a merge commit, days without MLIR
// changes and two MLIR commits on one day. Commit dates are fixed, so ids are stable per git version.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";

export interface LlvmFixture {
  dir: string;
  /** commit ids by name (c1…c8, f1, m1, r1, r2) */
  c: Record<string, string>;
  git(args: string[], date?: string): Promise<string>;
  commit(name: string, date: string, files: Record<string, string>, subject: string): Promise<string>;
}

export const versionCmake = (major: number, minor: number, patch: number, suffix = ""): string =>
  [
    "if(NOT DEFINED LLVM_VERSION_MAJOR)",
    `  set(LLVM_VERSION_MAJOR ${major})`,
    "endif()",
    "if(NOT DEFINED LLVM_VERSION_MINOR)",
    `  set(LLVM_VERSION_MINOR ${minor})`,
    "endif()",
    "if(NOT DEFINED LLVM_VERSION_PATCH)",
    `  set(LLVM_VERSION_PATCH ${patch})`,
    "endif()",
    "if(NOT DEFINED LLVM_VERSION_SUFFIX)",
    `  set(LLVM_VERSION_SUFFIX ${suffix})`,
    "endif()",
    "",
  ].join("\n");

export async function makeLlvmFixture(): Promise<LlvmFixture> {
  const dir = mkdtempSync(join(tmpdir(), "llvm-fixture-"));
  const c: Record<string, string> = {};
  const git = async (args: string[], date?: string): Promise<string> => {
    const env = {
      GIT_AUTHOR_NAME: "A. Developer",
      GIT_AUTHOR_EMAIL: "dev@example.org",
      GIT_COMMITTER_NAME: "A. Developer",
      GIT_COMMITTER_EMAIL: "dev@example.org",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: dir,
      ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
    };
    return (await execa("git", ["-C", dir, ...args], { env })).stdout.trim();
  };
  const commit = async (name: string, date: string, files: Record<string, string>, subject: string): Promise<string> => {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    await git(["add", "-A"]);
    await git(["commit", "-q", "-m", subject], date);
    c[name] = await git(["rev-parse", "HEAD"]);
    return c[name];
  };
  await git(["init", "-q", "-b", "main"]);
  await commit(
    "c1",
    "2026-11-01T10:00:00Z",
    {
      "cmake/Modules/LLVMVersion.cmake": versionCmake(22, 0, 0, "git"),
      "llvm/CMakeLists.txt": "include(LLVMVersion)\n",
      "llvm/lib/Support/Path.cpp": "// v1\n",
      "llvm/test/a.ll": "; v1\n",
      "mlir/lib/IR/Ops.cpp": "// v1\n",
      "mlir/docs/Ops.md": "v1\n",
      "clang/lib/Sema.cpp": "// v1\n",
    },
    "Initial LLVM-like tree",
  );
  await commit("c2", "2026-11-02T09:00:00Z", { "clang/lib/Sema.cpp": "// v2\n" }, "[clang] Sema tweak");
  await commit("c3", "2026-11-03T08:00:00Z", { "mlir/lib/IR/Ops.cpp": "// v2\n" }, "[mlir] Add an op");
  await commit("c4", "2026-11-03T20:00:00Z", { "llvm/lib/Support/Path.cpp": "// v2\n" }, "[Support] Fix path handling");
  await commit("c5", "2026-11-04T10:00:00Z", { "llvm/test/a.ll": "; v2\n", "mlir/docs/Ops.md": "v2\n" }, "[docs] Tests and docs only");
  // Release branch: 22.1.0, rc1 (annotated tag) then final (lightweight tag).
  await git(["checkout", "-q", "-b", "release/22.x"]);
  await commit("r1", "2026-11-05T10:00:00Z", { "cmake/Modules/LLVMVersion.cmake": versionCmake(22, 1, 0) }, "Set version to 22.1.0");
  await git(["tag", "-a", "-m", "LLVM 22.1.0-rc1", "llvmorg-22.1.0-rc1"], "2026-11-05T10:00:00Z");
  await commit("r2", "2026-11-06T10:00:00Z", { "mlir/lib/IR/Ops.cpp": "// v2 + release fix\n" }, "[mlir] Release fix");
  await git(["tag", "llvmorg-22.1.0"]);
  await git(["checkout", "-q", "main"]);
  await commit("c6", "2026-11-05T12:00:00Z", { "cmake/Modules/LLVMVersion.cmake": versionCmake(23, 0, 0, "git") }, "Bump version to 23.0.0");
  // A feature branch with an MLIR change, merged with a merge commit the next night.
  await git(["checkout", "-q", "-b", "feature"]);
  await commit("f1", "2026-11-06T01:00:00Z", { "mlir/lib/IR/Builders.cpp": "// new\n" }, "[mlir] Builders");
  await git(["checkout", "-q", "main"]);
  await commit("c7", "2026-11-06T02:00:00Z", { "clang/lib/Sema.cpp": "// v3\n" }, "[clang] Another tweak");
  await git(["merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature"], "2026-11-06T23:00:00Z");
  c["m1"] = await git(["rev-parse", "HEAD"]);
  await commit("c8", "2026-11-07T10:00:00Z", { "clang/lib/Sema.cpp": "// v4\n" }, "[clang] Weekend fix");
  // Names that collide: a tag and a branch both called llvmorg-20.1.0; a tag whose tree declares
  // another version; a branch named like the prefix of a commit id.
  await git(["tag", "llvmorg-20.1.0", c["c1"]!]);
  await git(["branch", "llvmorg-20.1.0", c["c1"]!]);
  await git(["tag", "llvmorg-21.1.8", c["c2"]!]);
  await git(["branch", c["c3"]!.slice(0, 8), c["c5"]!]);
  return { dir, c, git, commit };
}
