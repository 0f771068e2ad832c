// The Debian sid root's CPython 3.14/3.15 on this host (issue 27): what the linux-x86_64 module
// looks for and configures when MLIR_RELEASE_SID_ROOT names a prepared root (a fake one here:
// only the stamp and paths matter; test/integration builds against the real one).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { linuxAarch64 } from "../../src/platforms/linux-aarch64.js";
import { linuxX86_64 } from "../../src/platforms/linux-x86_64.js";
import { sidPaths, withSidPythons } from "../../src/platforms/sid-python.js";
import { InvalidInputError } from "../../src/errors.js";

const tmp = mkdtempSync(join(tmpdir(), "sid-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = join(tmp, "sid-root");
mkdirSync(root);
writeFileSync(join(root, ".mlir-release-sid-root"), "python3.14,... layout=2\n");

describe("withSidPythons", () => {
  const p = withSidPythons(linuxX86_64, root);

  it("finds 3.14 and 3.15 in the root first; an explicit MLIR_RELEASE_PYTHON_3_15 still wins; other versions are the module's", () => {
    expect(p.pythonCandidates("3.14", {})[0]).toBe(join(root, "usr", "local", "bin", "python3.14"));
    expect(p.pythonCandidates("3.15", { MLIR_RELEASE_PYTHON_3_15: "/x/python" })[0]).toBe("/x/python");
    expect(p.pythonCandidates("3.12", {})).toEqual(linuxX86_64.pythonCandidates("3.12", {}));
    // Free-threaded builds are not in the root (Debian ships no python3.14t): the module's own search.
    expect(p.pythonCandidates("3.14t", {})).toEqual(linuxX86_64.pythonCandidates("3.14t", {}));
  });

  it("configures 3.14/3.15 against the root's headers (the x86_64 pyconfig.h in place), nothing else changes", () => {
    expect(p.bindingsCmakeDefs("3.15", "cpython")).toEqual({
      Python_INCLUDE_DIR: join(root, "usr", "local", "include", "mlir-release-host", "python3.15"),
      Python3_INCLUDE_DIR: join(root, "usr", "local", "include", "mlir-release-host", "python3.15"),
    });
    expect(p.bindingsCmakeDefs("3.13", "cpython")).toEqual({});
    // Compiled and repaired on the host: the tag is the host's policy, as for every other wheel here.
    expect(p.wheelPlatformTag({ policy: "manylinux_2_36_x86_64" })).toBe("manylinux_2_36_x86_64");
    expect(p.runner.env["MLIR_RELEASE_SID_ROOT"]).toBe(root);
    expect(p.runner.pythons).toEqual(expect.arrayContaining(["3.14", "3.15"]));
  });

  it("refuses an unprepared root and a platform whose binaries the root cannot run, naming the input", () => {
    expect(() => withSidPythons(linuxX86_64, join(tmp, "nothing"))).toThrow(InvalidInputError);
    expect(() => withSidPythons(linuxX86_64, join(tmp, "nothing"))).toThrow(/MLIR_RELEASE_SID_ROOT=.*nothing: not a prepared sid root.*MLIR_RELEASE_SID=1 bash ci\/setup\.sh/);
    expect(() => withSidPythons(linuxAarch64, root)).toThrow(/x86_64 Linux binaries; linux-aarch64 cannot use them/);
    expect(() => sidPaths(root, "3.13")).toThrow(/provides CPython 3\.14, 3\.15 only \(asked for 3\.13\)/);
  });
});
