// The dev wheel says what of the system its binaries need (issue 29 item 2): the libraries an install
// tree's programs and shared libraries need beyond the C/C++ runtime and its own lib/, read from the
// ELF files themselves (Debian's FileCheck here), in the wheel's Summary and Description.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { devWheelDescription, systemDependencies } from "../../src/dev/system-deps.js";

describe("dev wheel: system dependencies of its tree", () => {
  it("names what bin/ and lib/ need beyond the runtime and the tree itself", async () => {
    const root = mkdtempSync(join(tmpdir(), "dev-deps-"));
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "lib"));
    copyFileSync("/usr/lib/llvm-22/bin/FileCheck", join(root, "bin", "FileCheck"));
    writeFileSync(join(root, "bin", "lit-wrapper"), "#!/bin/sh\n");
    // The tree carries its own libz: not a system dependency.
    writeFileSync(join(root, "lib", "libz.so.1"), "");
    expect(await systemDependencies(root)).toEqual(["libz3.so.4", "libzstd.so.1"]);
    mkdirSync(join(root, "empty"));
    expect(await systemDependencies(join(root, "empty"))).toEqual([]);
  });

  it("says so in the Summary and Description, and nothing when there is none", () => {
    const d = devWheelDescription("LLVM/MLIR 22.1.8 dev distribution matching x 22.1.8", ["libedit.so.2", "libz3.so.4"]);
    expect(d.summary).toBe("LLVM/MLIR 22.1.8 dev distribution matching x 22.1.8; its tools and libLLVM need the system's libedit.so.2, libz3.so.4 (not bundled)");
    expect(d.description).toContain("`libedit.so.2`, `libz3.so.4`");
    expect(d.description).toContain("tools wheel");
    expect(devWheelDescription("base", [])).toEqual({ summary: "base" });
  });
});
