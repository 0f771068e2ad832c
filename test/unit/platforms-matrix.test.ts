import { describe, expect, it } from "vitest";
import type { LlvmAbiFacts } from "../../src/platforms/abi.js";
import { ciJobs, matrixEntries } from "../../src/platforms/matrix.js";
import { MatrixEntry } from "../../src/schema/release-plan.js";
import { wheelTagString } from "../../src/schema/platform.js";

const LLVM_22: LlvmAbiFacts = { version: "22.1.8", stableAbiOption: false, freeThreaded: true, evidence: [] };
const LLVM_23: LlvmAbiFacts = { version: "23.1.0", stableAbiOption: true, freeThreaded: true, evidence: [] };

describe("matrix from the platform modules", () => {
  it("LLVM 22: 7 platform variants x (4 versions + 3 free-threaded), every entry a valid MatrixEntry", () => {
    const m = matrixEntries({ llvm: LLVM_22, pythons: ["3.10", "3.11", "3.12", "3.13"] });
    expect(m).toHaveLength(7 * 7);
    for (const e of m) MatrixEntry.parse(e);
    const tags = m.map((e) => wheelTagString(e.tag));
    expect(new Set(tags).size).toBe(tags.length); // every wheel of the release has its own tag
    expect(tags).toContain("cp313-cp313t-manylinux_2_17_aarch64.manylinux2014_aarch64");
    expect(tags).toContain("cp310-cp310-win_amd64");
    expect(tags).toContain("cp312-cp312-macosx_11_0_x86_64");
  });

  it("LLVM 23: one abi3 entry per platform variant replaces 3.12 and 3.13", () => {
    const m = matrixEntries({ llvm: LLVM_23, pythons: ["3.10", "3.11", "3.12", "3.13"] });
    const win = m.filter((e) => e.platform === "windows-x64").map((e) => wheelTagString(e.tag));
    expect(win).toEqual(["cp310-cp310-win_amd64", "cp311-cp311-win_amd64", "cp312-abi3-win_amd64", "cp313-cp313t-win_amd64", "cp314-cp314t-win_amd64", "cp315-cp315t-win_amd64"]);
  });

  it("CI jobs carry the runner label, the image lock key and the ABI reason", () => {
    const jobs = ciJobs({ llvm: LLVM_22, pythons: ["3.12"] });
    expect(jobs.map((j) => `${j.name}@${j.runsOn}${j.image ? `[${j.image}]` : ""}`)).toEqual([
      "linux-x86_64-manylinux2014@ubuntu-24.04[manylinux2014_x86_64]",
      "linux-x86_64-manylinux_2_28@ubuntu-24.04[manylinux_2_28_x86_64]",
      "linux-aarch64-manylinux2014@ubuntu-24.04-arm[manylinux2014_aarch64]",
      "linux-aarch64-manylinux_2_28@ubuntu-24.04-arm[manylinux_2_28_aarch64]",
      "macos-arm64@macos-14",
      "macos-x86_64@macos-15-intel",
      "windows-x64@windows-2022",
    ]);
    expect(jobs[0]?.pythons).toEqual(["3.12", "3.13t", "3.14t", "3.15t"]);
    expect(jobs[0]?.abi.reason).toMatch(/no MLIR_ENABLE_PYTHON_STABLE_ABI/);
  });
});
