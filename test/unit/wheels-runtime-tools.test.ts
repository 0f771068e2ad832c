// The generated Python of the runtime-library helper (mlir._runtime_libs) and the dev wheel's tool
// entry points, run by a real Python against a package laid out like the installed wheels.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { RUNTIME_LIBRARIES, runtimeLibraryFileName, runtimeLibsModule } from "../../src/wheels/runtime-libs.js";
import { TOOL_COMMANDS, toolConsoleScripts, toolsModule } from "../../src/wheels/tools.js";
import { wheelExtras } from "../../src/verify/install.js";
import { assembleWheel, renderEntryPoints } from "../../src/wheels/wheel.js";

const root = mkdtempSync(join(tmpdir(), "mlir-release-rt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const py = (code: string, cwd = root) => execa("python3", ["-c", code], { cwd, reject: false });

describe("mlir._runtime_libs", () => {
  mkdirSync(join(root, "mlir", "_mlir_libs"), { recursive: true });
  writeFileSync(join(root, "mlir", "__init__.py"), "");
  writeFileSync(join(root, "mlir", "_runtime_libs.py"), runtimeLibsModule());
  for (const n of ["mlir_c_runner_utils", "mlir_runner_utils"]) writeFileSync(join(root, "mlir", "_mlir_libs", `lib${n}.so`), "");

  it("returns absolute paths inside the package for the libraries present", async () => {
    const r = await py("import json, mlir._runtime_libs as r; print(json.dumps([r.directory(), r.runtime_libraries(), r.runtime_library('libmlir_runner_utils'), list(r.NAMES)]))");
    expect(r.stderr).toBe("");
    const [dir, libs, one, names] = JSON.parse(r.stdout) as [string, Record<string, string>, string, string[]];
    expect(dir).toBe(join(root, "mlir", "_mlir_libs"));
    expect(libs).toEqual({
      mlir_c_runner_utils: join(dir, "libmlir_c_runner_utils.so"),
      mlir_runner_utils: join(dir, "libmlir_runner_utils.so"),
    });
    expect(one).toBe(join(dir, "libmlir_runner_utils.so"));
    expect(names).toEqual([...RUNTIME_LIBRARIES]);
  });

  it("says which library is missing or unknown", async () => {
    const missing = await py("import mlir._runtime_libs as r; r.runtime_library('mlir_async_runtime')");
    expect(missing.stderr).toMatch(/FileNotFoundError: mlir_async_runtime is not in this wheel/);
    const unknown = await py("import mlir._runtime_libs as r; r.runtime_library('mlir_cuda_runtime')");
    expect(unknown.stderr).toMatch(/ValueError: unknown MLIR runtime library 'mlir_cuda_runtime'/);
  });

  it("names the files per OS as the loaders expect", () => {
    expect(runtimeLibraryFileName("mlir_c_runner_utils", "linux")).toBe("libmlir_c_runner_utils.so");
    expect(runtimeLibraryFileName("mlir_c_runner_utils", "macos")).toBe("libmlir_c_runner_utils.dylib");
    expect(runtimeLibraryFileName("mlir_c_runner_utils", "windows")).toBe("mlir_c_runner_utils.dll");
  });
});

describe("tool entry points", () => {
  it("renders entry_points.txt sorted, one console script per tool, and rejects bad names", () => {
    const text = renderEntryPoints(toolConsoleScripts("mlir_python_bindings_dev"));
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("[console_scripts]");
    expect(lines.slice(1)).toEqual(
      [...TOOL_COMMANDS].sort().map((t) => `${t} = mlir_python_bindings_dev._tools:run_${t.replace(/-/g, "_")}`),
    );
    expect(() => renderEntryPoints({ "a b": "x:y" })).toThrow(/not a valid entry point/);
    expect(() => renderEntryPoints({ ok: "x:y; rm -rf" })).toThrow(/not a valid entry point/);
  });

  it("runs the tree's binary with the arguments, replacing the Python process", async () => {
    const pkg = join(root, "devpkg");
    mkdirSync(join(pkg, "dist", "bin"), { recursive: true });
    writeFileSync(join(pkg, "__init__.py"), "import os\ndef prefix():\n    return os.path.join(os.path.dirname(__file__), 'dist')\n");
    writeFileSync(join(pkg, "_tools.py"), toolsModule());
    const fake = join(pkg, "dist", "bin", "FileCheck");
    writeFileSync(fake, '#!/bin/sh\necho "argv0=$0 args=$*"; exit 3\n');
    chmodSync(fake, 0o755);
    const r = await execa("python3", ["-c", "import sys; sys.argv=['FileCheck','--x','y']; import devpkg._tools as t; t.run_FileCheck()"], {
      cwd: root,
      reject: false,
    });
    expect(r.stdout.trim()).toBe(`argv0=${fake} args=--x y`);
    expect(r.exitCode).toBe(3);
    const absent = await execa("python3", ["-c", "import devpkg._tools as t; t.run_mlir_opt()"], { cwd: root, reject: false });
    expect(absent.exitCode).toBe(1);
    expect(absent.stderr).toMatch(/mlir-opt: not in this dev distribution/);
    // Every generated function compiles (tool names such as `not` are Python keywords).
    const all = await execa("python3", ["-c", `import devpkg._tools as t; print(all(callable(getattr(t, f)) for f in ${JSON.stringify(Object.values(toolConsoleScripts("devpkg")).map((v) => v.split(":")[1]))}))`], { cwd: root });
    expect(all.stdout.trim()).toBe("True");
  });
});

describe("wheel extras for verification", () => {
  it("reads Provides-Extra from a wheel's METADATA", async () => {
    const src = join(root, "extras-src");
    mkdirSync(join(src, "pkg"), { recursive: true });
    writeFileSync(join(src, "pkg", "__init__.py"), "");
    const meta = { distribution: "pkg", version: "1.0", summary: "s", license: "l", requiresPython: ">=3.10", projectUrls: {} };
    const w = await assembleWheel({
      root: src,
      packageName: "pkg",
      metadata: { ...meta, requiresDist: ["numpy>=1", 'PyYAML>=5.4.0; extra == "opdsl"', 'x; extra == "a"'] },
      tag: { python: "py3", abi: "none", platform: "any" },
      sourceDateEpoch: 1_700_000_000,
      generator: "test",
      outDir: root,
    });
    expect(wheelExtras(w.path)).toEqual(["a", "opdsl"]);
    const plain = await assembleWheel({
      root: src,
      packageName: "pkg",
      metadata: { ...meta, version: "2.0", requiresDist: ["numpy>=1"] },
      tag: { python: "py3", abi: "none", platform: "any" },
      sourceDateEpoch: 1_700_000_000,
      generator: "test",
      outDir: root,
    });
    expect(wheelExtras(plain.path)).toEqual([]);
  });
});
