import { describe, expect, it } from "vitest";
import { platformById, allPlatformVariants } from "../../src/platforms/index.js";
import { interpreterTags, manylinuxWheelTag, newestToolCacheVersion, parsePython } from "../../src/platforms/tags.js";
import { macosWheelTag } from "../../src/platforms/macos.js";

describe("tags", () => {
  it("spells interpreter tags for each ABI variant", () => {
    expect(interpreterTags("3.12", "cpython")).toEqual({ python: "cp312", abi: "cp312" });
    expect(interpreterTags("3.12", "abi3")).toEqual({ python: "cp312", abi: "abi3" });
    expect(interpreterTags("3.13t", "freethreaded")).toEqual({ python: "cp313", abi: "cp313t" });
    expect(() => interpreterTags("3.11", "abi3")).toThrow(/3\.12/);
    expect(() => interpreterTags("3.13", "freethreaded")).toThrow(/3\.Nt/);
    expect(() => parsePython("3.12t")).toThrow(/starts at 3\.13/);
    expect(() => parsePython("python3")).toThrow(/python3/);
  });

  it("names manylinux wheels the way auditwheel does", () => {
    expect(manylinuxWheelTag("manylinux2014", "aarch64")).toBe("manylinux_2_17_aarch64.manylinux2014_aarch64");
    expect(manylinuxWheelTag("manylinux_2_28_x86_64", "x86_64")).toBe("manylinux_2_28_x86_64");
    expect(() => manylinuxWheelTag("musllinux_1_2", "x86_64")).toThrow(/musllinux_1_2/);
  });

  it("macOS tags: our arch, the newer of target and interpreter minimum, 11+ spelled major_0", () => {
    expect(macosWheelTag("macosx-10.9-universal2", "arm64", "11.0")).toBe("macosx_11_0_arm64");
    expect(macosWheelTag("macosx-14.2-arm64", "arm64", "11.0")).toBe("macosx_14_0_arm64");
    expect(() => macosWheelTag("macosx-11.0-x86_64", "arm64", "11.0")).toThrow(/cannot build arm64/);
  });

  it("picks the newest patch release in a tool cache listing", () => {
    expect(newestToolCacheVersion(["3.12.9", "3.12.10", "3.13.1", "3.12.10.bak"], "3.12")).toBe("3.12.10");
  });

  it("has one module per platform id and both policies on Linux", () => {
    const ids = allPlatformVariants().map((p) => `${p.id}${p.policy ? `:${p.policy}` : ""}`);
    expect(ids).toEqual([
      "linux-x86_64:manylinux2014",
      "linux-x86_64:manylinux_2_28",
      "linux-aarch64:manylinux2014",
      "linux-aarch64:manylinux_2_28",
      "macos-arm64",
      "macos-x86_64",
      "windows-x64",
    ]);
    expect(() => platformById("macos-arm64", { policy: "manylinux2014" })).toThrow(/only Linux/);
    expect(() => platformById("linux-aarch64", { policy: "manylinux_2_17" })).toThrow(/expected one of/);
  });
});
