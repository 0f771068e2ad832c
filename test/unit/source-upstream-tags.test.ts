// Every pinned Debian tarball names the upstream tag it is the tree of, so a build from it can write a
// manifest (which needs the full LLVM commit): 23.1.1 lacked one and its release would stop at manifest.json.
import { describe, expect, it } from "vitest";
import { DEBIAN_SOURCES, DEBIAN_UPSTREAM_TAGS, upstreamTagOf } from "../../src/source/tree.js";

describe("upstream tags of the pinned Debian tarballs", () => {
  it("each pinned version has llvmorg-<version> and a full 40-hex commit", () => {
    for (const version of Object.keys(DEBIAN_SOURCES)) {
      const t = DEBIAN_UPSTREAM_TAGS[version];
      expect(t, version).toBeDefined();
      expect(t!.tag).toBe(`llvmorg-${version}`);
      expect(t!.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it("a tarball is matched by its sha256, not its file name", () => {
    const ref = DEBIAN_SOURCES["23.1.1"]!;
    expect(upstreamTagOf(ref)?.commit).toBe("6dfe1677ab8dffbc6ec13d53a1e0215d75147689");
    expect(upstreamTagOf({ ...ref, sha256: "0".repeat(64) })).toBeUndefined();
  });
});
