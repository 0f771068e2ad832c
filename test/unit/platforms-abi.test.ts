// ABI variant choice against both kinds of LLVM tree: 22.1.8 as released (no stable-ABI option,
// free-threaded), an LLVM 23 tree (22.1.8's files + upstream's MLIR_ENABLE_PYTHON_STABLE_ABI
// option) and an LLVM 19 tree (before FREE_THREADED), plus the installed Debian layer.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseAbi, probeLlvmAbiFacts } from "../../src/platforms/abi.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "llvm-trees", "llvm-22.1.8");
const tmp = mkdtempSync(join(tmpdir(), "abi-trees-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function derivedTree(name: string, edit: (files: { version: string; mlirCmake: string; addPython: string }) => void): string {
  const root = join(tmp, name);
  cpSync(FIXTURE, root, { recursive: true });
  const paths = {
    version: join(root, "cmake", "Modules", "LLVMVersion.cmake"),
    mlirCmake: join(root, "mlir", "CMakeLists.txt"),
    addPython: join(root, "mlir", "cmake", "modules", "AddMLIRPython.cmake"),
  };
  const files = { version: readFileSync(paths.version, "utf8"), mlirCmake: readFileSync(paths.mlirCmake, "utf8"), addPython: readFileSync(paths.addPython, "utf8") };
  edit(files);
  for (const k of Object.keys(paths) as Array<keyof typeof paths>) writeFileSync(paths[k], files[k]);
  return root;
}

const setVersion = (text: string, maj: number, min: number, patch: number): string =>
  text
    .replace(/set\(LLVM_VERSION_MAJOR \d+\)/, `set(LLVM_VERSION_MAJOR ${maj})`)
    .replace(/set\(LLVM_VERSION_MINOR \d+\)/, `set(LLVM_VERSION_MINOR ${min})`)
    .replace(/set\(LLVM_VERSION_PATCH \d+\)/, `set(LLVM_VERSION_PATCH ${patch})`);

// LLVM 23: the option as upstream declares it, and AddMLIRPython passing STABLE_ABI when it is on.
const LLVM_23 = derivedTree("llvm-23", (f) => {
  f.version = setVersion(f.version, 23, 1, 0);
  f.mlirCmake = f.mlirCmake.replace(
    "option(MLIR_PYTHON_STUBGEN_ENABLED",
    'option(MLIR_ENABLE_PYTHON_STABLE_ABI "Build the Python extensions against the CPython stable ABI (3.12+)" OFF)\noption(MLIR_PYTHON_STUBGEN_ENABLED',
  );
  f.addPython = f.addPython.replace("      FREE_THREADED\n", "      FREE_THREADED\n      ${_mlir_python_stable_abi}\n");
});
// LLVM 19: nanobind_add_module without FREE_THREADED.
const LLVM_19 = derivedTree("llvm-19", (f) => {
  f.version = setVersion(f.version, 19, 1, 7);
  f.addPython = f.addPython.replace("      FREE_THREADED\n", "");
});

const RUNNER = ["3.10", "3.11", "3.12", "3.13", "3.14", "3.13t", "3.14t"];
const MATRIX = ["3.10", "3.11", "3.12", "3.13", "3.14"];

describe("probeLlvmAbiFacts", () => {
  it("reads 22.1.8 as released: free-threaded, no stable-ABI option", () => {
    const f = probeLlvmAbiFacts({ sourceRoot: FIXTURE });
    expect(f).toMatchObject({ version: "22.1.8", stableAbiOption: false, freeThreaded: true });
    expect(f.evidence.join("\n")).toMatch(/FREE_THREADED/);
  });

  it("finds the stable-ABI option in an LLVM 23 tree and FREE_THREADED's absence in LLVM 19", () => {
    expect(probeLlvmAbiFacts({ sourceRoot: LLVM_23 })).toMatchObject({ version: "23.1.0", stableAbiOption: true, freeThreaded: true });
    expect(probeLlvmAbiFacts({ sourceRoot: LLVM_19 })).toMatchObject({ version: "19.1.7", stableAbiOption: false, freeThreaded: false });
  });

  it.runIf(existsSync("/usr/lib/llvm-22/lib/cmake/mlir/AddMLIRPython.cmake"))("reads an installed layer's CMake dir (Debian's MLIR 22)", () => {
    expect(probeLlvmAbiFacts({ mlirCmakeDir: "/usr/lib/llvm-22/lib/cmake/mlir" })).toMatchObject({
      version: "22.1.8",
      stableAbiOption: false,
      freeThreaded: true,
    });
  });

  it("a partial tree without the files that declare or use the option (the bindings' extract): the version decides", () => {
    const partial = (name: string, maj: number): string => {
      const root = derivedTree(name, (f) => (f.version = setVersion(f.version, maj, 1, 1)));
      rmSync(join(root, "mlir", "CMakeLists.txt"));
      rmSync(join(root, "mlir", "cmake"), { recursive: true });
      return root;
    };
    const f23 = probeLlvmAbiFacts({ sourceRoot: partial("partial-23", 23) });
    expect(f23).toMatchObject({ version: "23.1.1", stableAbiOption: true, freeThreaded: true });
    expect(f23.evidence.join("\n")).toMatch(/inferred from LLVM 23\.1\.1/);
    expect(probeLlvmAbiFacts({ sourceRoot: partial("partial-22", 22) })).toMatchObject({ version: "22.1.1", stableAbiOption: false });
    // A tree that has the files and lacks the option is still read as lacking it (22.1.8 as released).
    expect(probeLlvmAbiFacts({ sourceRoot: derivedTree("full-23-without", (f) => (f.version = setVersion(f.version, 23, 1, 1))) }).stableAbiOption).toBe(false);
  });

  it("names the inputs when it cannot tell the version", () => {
    expect(() => probeLlvmAbiFacts({ sourceRoot: tmp })).toThrow(new RegExp(`LLVMVersion.cmake under ${tmp}`));
  });
});

describe("chooseAbi", () => {
  const tags = (c: ReturnType<typeof chooseAbi>): string[] => c.builds.map((b) => `${b.pythonTag}-${b.abiTag}`);

  it("LLVM 22: one wheel per version, plus 3.13t and 3.14t, and says why", () => {
    const c = chooseAbi({ llvm: probeLlvmAbiFacts({ sourceRoot: FIXTURE }), pythons: MATRIX, runnerPythons: RUNNER });
    expect(tags(c)).toEqual(["cp310-cp310", "cp311-cp311", "cp312-cp312", "cp313-cp313", "cp314-cp314", "cp313-cp313t", "cp314-cp314t"]);
    expect(c.variant).toBe("cpython");
    expect(c.reason).toMatch(/22\.1\.8 has no MLIR_ENABLE_PYTHON_STABLE_ABI/);
  });

  it("LLVM 23: cp312-abi3 serves 3.12+, older versions and free-threaded stay per version", () => {
    const c = chooseAbi({ llvm: probeLlvmAbiFacts({ sourceRoot: LLVM_23 }), pythons: MATRIX, runnerPythons: RUNNER, cmakeVersion: "3.31.6" });
    expect(tags(c)).toEqual(["cp310-cp310", "cp311-cp311", "cp312-abi3", "cp313-cp313t", "cp314-cp314t"]);
    expect(c.builds.find((b) => b.abi === "abi3")).toMatchObject({ python: "3.12", serves: ["3.12", "3.13", "3.14"], cmakeDefs: { MLIR_ENABLE_PYTHON_STABLE_ABI: "ON" } });
    expect(c.variant).toBe("abi3");
    expect(c.reason).toMatch(/cp312-abi3 wheel built with 3\.12 serves 3\.12, 3\.13, 3\.14/);
  });

  it("LLVM 23 with CMake < 3.26 falls back to per-version wheels, saying why", () => {
    const c = chooseAbi({ llvm: probeLlvmAbiFacts({ sourceRoot: LLVM_23 }), pythons: ["3.12", "3.13"], runnerPythons: RUNNER, cmakeVersion: "3.25.1", freeThreaded: false });
    expect(tags(c)).toEqual(["cp312-cp312", "cp313-cp313"]);
    expect(c.reason).toMatch(/CMake 3\.25\.1 < 3\.26/);
  });

  it("LLVM 19: no free-threaded wheels even where the runner has 3.13t", () => {
    const c = chooseAbi({ llvm: probeLlvmAbiFacts({ sourceRoot: LLVM_19 }), pythons: ["3.12"], runnerPythons: RUNNER });
    expect(tags(c)).toEqual(["cp312-cp312"]);
    expect(c.skipped.map((s) => s.python)).toEqual(["3.13t", "3.14t"]);
    expect(c.skipped[0]?.reason).toMatch(/FREE_THREADED.*LLVM 20/);
  });

  it("a runner without free-threaded Pythons gets none; a missing version is skipped, not guessed", () => {
    const c = chooseAbi({ llvm: probeLlvmAbiFacts({ sourceRoot: FIXTURE }), pythons: ["3.12", "3.13", "3.14t"], runnerPythons: ["3.12"] });
    expect(tags(c)).toEqual(["cp312-cp312"]);
    expect(c.skipped).toEqual([
      { python: "3.13", reason: "the runner has no CPython 3.13" },
      { python: "3.14t", reason: "the runner has no free-threaded CPython 3.14t" },
    ]);
    expect(() => chooseAbi({ llvm: probeLlvmAbiFacts({ sourceRoot: FIXTURE }), pythons: ["3.9"], runnerPythons: ["3.12"] })).toThrow(/no Python of \[3\.9\]/);
  });

  it("only a missing free-threaded Python asked for: the error says how to get one", () => {
    const only = (pythons: string[]) => () => chooseAbi({ llvm: probeLlvmAbiFacts({ sourceRoot: FIXTURE }), pythons, runnerPythons: ["3.12"], freeThreaded: false });
    expect(only(["3.13t"])).toThrow(/3\.13t: the runner has no free-threaded CPython 3\.13t \(MLIR_RELEASE_FREE_THREADED=1 bash ci\/setup\.sh builds 3\.13t .*MLIR_RELEASE_PYTHON_3_13T/);
    expect(only(["3.14t"])).toThrow(/\(or point MLIR_RELEASE_PYTHON_3_14T at an interpreter\)$/);
    expect(only(["3.9"])).toThrow(/CPython 3\.9$/);
  });
});
