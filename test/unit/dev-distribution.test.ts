import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { absolutePathHits, devCmakeModule, devPythonPackage, type DevReleaseInfo, devTemplateFiles, renderTemplate, rewriteExportFile } from "../../src/dev/devdist.js";
import { downstreamGuide } from "../../src/dev/guide.js";
import type { ReleaseManifest } from "../../src/schema/manifest.js";

const info: DevReleaseInfo = {
  distribution: "mlir-python-bindings",
  devDistribution: "mlir-python-bindings-dev",
  version: "22.1.8",
  llvmVersion: "22.1.8",
  llvmCommit: "ca7933e47d3a3451d81e72ac174dcb5aa28b59d1",
  platform: "linux-x86_64",
  nanobind: "2.9.2",
  nanobindDomain: "mlir_release",
  packagePrefix: "mlir",
};

// The shape CMake writes (and Debian ships) for an export file.
const EXPORTS = `# Compute the installation prefix relative to this file.
get_filename_component(_IMPORT_PREFIX "\${CMAKE_CURRENT_LIST_FILE}" PATH)
get_filename_component(_realCurr "\${_IMPORT_PREFIX}" REALPATH)
get_filename_component(_realOrig "/usr/lib/llvm-22/lib/cmake/llvm" REALPATH)
if(_realCurr STREQUAL _realOrig)
  set(_IMPORT_PREFIX "/usr/lib/llvm-22/lib/cmake/llvm")
endif()
unset(_realOrig)
set_target_properties(LLVMSupport PROPERTIES
  INTERFACE_LINK_LIBRARIES "rt;dl;m;/usr/lib/x86_64-linux-gnu/libz3.so;ZLIB::ZLIB;LLVMDemangle"
)
list(APPEND _cmake_import_check_files_for_mlir-tblgen "\${_IMPORT_PREFIX}/bin/mlir-tblgen" )
list(APPEND _cmake_import_check_files_for_mlir-lsp-server "\${_IMPORT_PREFIX}/bin/mlir-lsp-server" )
#list(APPEND _cmake_import_check_files_for_llc "\${_IMPORT_PREFIX}/bin/llc" )
`;

describe("rewriteExportFile", () => {
  const out = rewriteExportFile(EXPORTS, (rel) => rel === "bin/mlir-tblgen");

  it("drops the pinned original prefix and the absolute libz3 path", () => {
    expect(out).not.toContain("/usr/lib/llvm-22");
    expect(out).not.toContain("libz3");
    expect(out).toContain('INTERFACE_LINK_LIBRARIES "rt;dl;m;ZLIB::ZLIB;LLVMDemangle"');
    expect(out).toContain('get_filename_component(_IMPORT_PREFIX "${CMAKE_CURRENT_LIST_FILE}" PATH)');
  });

  it("keeps the existence check of shipped files and disables it for files left out", () => {
    expect(out).toMatch(/^list\(APPEND _cmake_import_check_files_for_mlir-tblgen /m);
    expect(out).toMatch(/^#list\(APPEND _cmake_import_check_files_for_mlir-lsp-server .* # not in the dev distribution$/m);
    expect(out).toContain('#list(APPEND _cmake_import_check_files_for_llc "${_IMPORT_PREFIX}/bin/llc" )\n');
  });

  it("is idempotent", () => {
    expect(rewriteExportFile(out, (rel) => rel === "bin/mlir-tblgen")).toBe(out);
  });
});

describe("absolutePathHits", () => {
  it("names each line that holds a forbidden path, ignoring comments", () => {
    const hits = absolutePathHits('set(A "/work/x/build/lib")\n# /work/x/build in a comment\nset(B "${P}/lib")\n', ["/work/x/build"]);
    expect(hits).toEqual(['1: set(A "/work/x/build/lib")']);
  });
});

describe("devCmakeModule", () => {
  const text = devCmakeModule(info);
  it("turns the Python bindings on and exports the sources, the domain and the C API library", () => {
    expect(text).toContain("set(MLIR_ENABLE_BINDINGS_PYTHON ON)");
    expect(text).toContain('include("${CMAKE_CURRENT_LIST_DIR}/MLIRPythonTargets.cmake")');
    expect(text).toContain('set(MLIR_RELEASE_NB_DOMAIN "mlir_release")');
    expect(text).toContain("MLIRRelease::PythonCAPI");
    expect(text).not.toMatch(/"\/(usr|work|tmp)\//);
  });
});

describe("devPythonPackage", () => {
  it("prints the cmake dir and recreates the tree's symlinks on first use", () => {
    const root = mkdtempSync(join(tmpdir(), "devpkg-"));
    const files = devPythonPackage(info, { "lib/libMLIR.so": "libMLIR.so.22.1" });
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, name)), { recursive: true });
      writeFileSync(join(root, name), text);
    }
    mkdirSync(join(root, "mlir_python_bindings_dev", "dist", "lib", "cmake", "mlir"), { recursive: true });
    writeFileSync(join(root, "mlir_python_bindings_dev", "dist", "lib", "libMLIR.so.22.1"), "x");
    const out = execFileSync("python3", ["-m", "mlir_python_bindings_dev", "--cmake-dir"], { cwd: root, encoding: "utf8" });
    expect(out.trim()).toBe(join(root, "mlir_python_bindings_dev", "dist", "lib", "cmake", "mlir"));
    const link = join(root, "mlir_python_bindings_dev", "dist", "lib", "libMLIR.so");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe("libMLIR.so.22.1");
    const shown = JSON.parse(execFileSync("python3", ["-m", "mlir_python_bindings_dev", "--info"], { cwd: root, encoding: "utf8" }));
    expect(shown).toMatchObject({ version: "22.1.8", nanobindDomain: "mlir_release" });
    expect(existsSync(link)).toBe(true);
  });
});

describe("downstreamGuide", () => {
  const manifest = {
    schemaVersion: 1,
    plan: {
      version: "22.1.8",
      distribution: "mlir-python-bindings",
      devDistribution: "mlir-python-bindings-dev",
      llvm: { commit: info.llvmCommit, version: "22.1.8", repository: "https://github.com/llvm/llvm-project.git", commitDate: "2026-01-01T00:00:00Z", tag: "llvmorg-22.1.8" },
      tools: { nanobind: "2.9.2" },
      nanobindDomain: "mlir_release",
      matrix: [{ platform: "linux-x86_64", python: "3.12" }],
    },
    artifacts: [
      { kind: "dev-tarball", fileName: "mlir-dev-22.1.8-linux-x86_64.tar.zst", sha256: "a".repeat(64), size: 230_270_661, platform: "linux-x86_64" },
      { kind: "dev-wheel", fileName: "mlir_python_bindings_dev-22.1.8-py3-none-manylinux_2_36_x86_64.whl", sha256: "b".repeat(64), size: 1, platform: "linux-x86_64" },
    ],
  } as unknown as ReleaseManifest;
  const md = downstreamGuide(manifest, { indexUrl: "https://example.org/mlir-release", downloadUrl: "https://example.org/dl/v22.1.8" });

  it("pins the exact versions, nanobind and commit from the manifest", () => {
    expect(md).toContain('"mlir-python-bindings==22.1.8" "mlir-python-bindings-dev==22.1.8" "nanobind==2.9.2"');
    expect(md).toContain("--extra-index-url https://example.org/mlir-release/simple/");
    expect(md).toContain(`https://github.com/llvm/llvm-project/commit/${info.llvmCommit}`);
    expect(md).toContain("python -m mlir_python_bindings_dev --cmake-dir");
  });

  it("links each dev tarball with its digest and names the nanobind domain", () => {
    expect(md).toContain("[mlir-dev-22.1.8-linux-x86_64.tar.zst](https://example.org/dl/v22.1.8/mlir-dev-22.1.8-linux-x86_64.tar.zst)");
    expect(md).toContain("a".repeat(64));
    expect(md).toContain("230.3 MB");
    expect(md).toContain("`mlir_release`");
  });

  it("leads with the one-command path and the reusable workflow's job", () => {
    expect(md).toContain("mlir-release downstream build --project <your project> --release 22.1.8 --index-url https://example.org/mlir-release\n");
    expect(md).toContain("every Python of this release's matrix (3.12) with nanobind 2.9.2");
    expect(md).toContain("    uses: <owner>/<repo>/.github/workflows/downstream.yml@<sha>\n");
    expect(md.indexOf("## One command")).toBeLessThan(md.indexOf("## Five commands"));
  });

  it("has exactly five commands in its shell block", () => {
    const block = /## Five commands \(by hand\)\n\n```sh\n([\s\S]*?)```/.exec(md)![1]!;
    const commands = block.split("\n").filter((l) => l && !l.startsWith("  "));
    expect(commands).toHaveLength(5);
  });
});

describe("dev templates are files under containers/dev", () => {
  it("lists them for the factory's dev stamp, and rendering leaves no placeholder and refuses an unknown one", () => {
    const files = devTemplateFiles().map((f) => f.split("/containers/dev/")[1]);
    expect(files).toEqual(["MLIRReleaseDev.cmake.in", "python/__init__.py.in", "python/__main__.py.in"]);
    const rendered = [devCmakeModule(info), ...Object.values(devPythonPackage(info, {}))].join("\n");
    expect(rendered).not.toMatch(/@[A-Z][A-Z0-9_]*@/);
    expect(() => renderTemplate("x @NOPE@ y", {}, "t.in")).toThrow(/t\.in: no value for @NOPE@/);
  });
});
