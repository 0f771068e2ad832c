// The linux-aarch64 cross variant's CMake entries, and the mirror lookup the arm64 root is made from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { linuxAarch64Cross } from "../../src/platforms/linux-aarch64.js";

const REPO = join(import.meta.dirname, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "aarch64-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("linux-aarch64 cross variant", () => {
  const p = linuxAarch64Cross("/x/cross", "/repo");
  it("points CMake at the cross toolchain, the sysroot's Python 3.11 and the target's ABI suffix", () => {
    const d = p.bindingsCmakeDefs("3.11", "cpython");
    expect(d).toMatchObject({
      CMAKE_TOOLCHAIN_FILE: "/repo/containers/aarch64/toolchain.cmake",
      MLIR_RELEASE_SYSROOT: "/x/cross/sysroot",
      Python_EXECUTABLE: "/repo/containers/aarch64/python-qemu.sh",
      Python3_EXECUTABLE: "/repo/containers/aarch64/python-qemu.sh",
      Python_INCLUDE_DIR: "/x/cross/sysroot/usr/include/python3.11",
      Python3_SOABI: "cpython-311-aarch64-linux-gnu",
      NB_SUFFIX: ".cpython-311-aarch64-linux-gnu.so",
    });
    expect(p.extensionSuffix("3.11", "cpython")).toBe(p.bindingsCmakeDefs("3.11", "cpython")["NB_SUFFIX"]);
    expect(p.strip?.[0]).toBe("aarch64-linux-gnu-strip");
    expect(p.rawPlatformTag).toBe("linux_aarch64");
  });
  it("refuses a Python the arm64 root does not have", () => {
    expect(() => p.bindingsCmakeDefs("3.12", "cpython")).toThrow(/CPython 3\.11 only/);
  });
});

describe("containers/aarch64/apt-mirror.sh", () => {
  const run = (etc: string, suite: string) => execa(join(REPO, "containers", "aarch64", "apt-mirror.sh"), [suite], { env: { APT_ETC: etc }, reject: false });

  it("reads the release suite's URI from deb822 sources, skipping deb-src and -security stanzas", async () => {
    const etc = join(tmp, "a");
    mkdirSync(join(etc, "sources.list.d"), { recursive: true });
    writeFileSync(
      join(etc, "sources.list.d", "debian.sources"),
      [
        "Types: deb-src", "URIs: http://src.example.org/debian", "Suites: bookworm", "Components: main", "",
        "Types: deb", "URIs: http://security.example.org/debian-security", "Suites: bookworm-security", "Components: main", "",
        "Types: deb", "URIs: http://mirror.example.org/debian", "Suites: bookworm bookworm-updates", "Components: main", "",
      ].join("\n"),
    );
    const r = await run(etc, "bookworm");
    expect(r.stdout).toBe("http://mirror.example.org/debian");
  });

  it("reads one-line sources.list entries (with options) and names the suite when there is none", async () => {
    const etc = join(tmp, "b");
    mkdirSync(join(etc, "sources.list.d"), { recursive: true });
    writeFileSync(join(etc, "sources.list"), "deb [arch=amd64 signed-by=/k.gpg] http://localhost:3142/debian bookworm main\n");
    expect((await run(etc, "bookworm")).stdout).toBe("http://localhost:3142/debian");
    const miss = await run(etc, "trixie");
    expect(miss.exitCode).toBe(1);
    expect(miss.stderr).toMatch(/no 'deb' source for suite 'trixie'/);
  });
});
