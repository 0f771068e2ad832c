import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parseLayerSpec, parseSourceSpec } from "../../src/cli/build-commands.js";
import { bindingsConfigureArgs } from "../../src/platforms/plan-python.js";
import { parsePythons } from "../../src/platforms/pythons.js";
import { releaseInfoModule, tagOf } from "../../src/factory/factory.js";
import { sourceLayerConfigureArgs, sourceLayerKey } from "../../src/layer/layer.js";
import { ninjaPercent } from "../../src/progress.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { parseLlvmVersionCmake } from "../../src/source/llvm-version.js";
import { checkVersion, readTreeVersion } from "../../src/source/tree.js";
import { parseLitResults, renderLitSiteConfig } from "../../src/verify/lit.js";
import { parseCheckWheelContents } from "../../src/verify/install.js";
import { parseAuditwheelShow } from "../../src/verify/repair.js";
import { runtimeRequirements } from "../../src/wheels/requirements.js";
import { assembleWheel, recordLine, renderMetadata, wheelFileName } from "../../src/wheels/wheel.js";
import { deflateMemoCounts, writeDeterministicZip } from "../../src/wheels/zip.js";

const tmp = () => mkdtempSync(join(tmpdir(), "mlir-release-unit-"));

describe("LLVM version of a source tree", () => {
  const modern = `if(NOT DEFINED LLVM_VERSION_MAJOR)\n  set(LLVM_VERSION_MAJOR 22)\nendif()\nif(NOT DEFINED LLVM_VERSION_MINOR)\n  set(LLVM_VERSION_MINOR 1)\nendif()\nif(NOT DEFINED LLVM_VERSION_PATCH)\n  set(LLVM_VERSION_PATCH 8)\nendif()\nif(NOT DEFINED LLVM_VERSION_SUFFIX)\n  set(LLVM_VERSION_SUFFIX)\nendif()\n`;
  it("reads LLVMVersion.cmake with an empty suffix", () => {
    expect(parseLlvmVersionCmake(modern, "x").text).toBe("22.1.8");
  });
  it("keeps an rc suffix and drops 'git'", () => {
    expect(parseLlvmVersionCmake(modern.replace("set(LLVM_VERSION_SUFFIX)", "set(LLVM_VERSION_SUFFIX -rc2)"), "x").text).toBe("22.1.8-rc2");
    expect(parseLlvmVersionCmake(modern.replace("set(LLVM_VERSION_SUFFIX)", "set(LLVM_VERSION_SUFFIX git)"), "x").text).toBe("22.1.8");
  });
  it("rejects a file without a version, naming it", () => {
    expect(() => parseLlvmVersionCmake("project(foo)", "/t/LLVMVersion.cmake")).toThrow(/\/t\/LLVMVersion.cmake: no LLVM_VERSION/);
  });
  it("falls back to llvm/CMakeLists.txt and refuses a different version than asked", () => {
    const root = tmp();
    mkdirSync(join(root, "llvm"), { recursive: true });
    writeFileSync(join(root, "llvm", "CMakeLists.txt"), "set(LLVM_VERSION_MAJOR 17)\nset(LLVM_VERSION_MINOR 0)\nset(LLVM_VERSION_PATCH 6)\n");
    const version = readTreeVersion(root);
    expect(version.text).toBe("17.0.6");
    expect(() => checkVersion({ root, version }, "22.1.8")).toThrow(/declares LLVM 17\.0\.6, but 22\.1\.8 was asked for/);
  });
  it("says a directory is not an llvm-project tree", () => {
    expect(() => readTreeVersion(tmp())).toThrow(/not an llvm-project tree/);
  });
});

describe("CLI input parsing", () => {
  it("parses every source form and rejects others with the accepted forms", () => {
    expect(parseSourceSpec("debian:22.1.8").kind).toBe("tarball");
    expect(parseSourceSpec(`git:https://example.org/llvm.git@${"a".repeat(40)}`)).toMatchObject({ kind: "git", ref: { commit: "a".repeat(40) } });
    const tarball = join(mkdtempSync(join(tmpdir(), "src-spec-")), "y.tar.xz");
    writeFileSync(tarball, "");
    expect(parseSourceSpec(`tarball:${tarball}@${"b".repeat(64)}`)).toMatchObject({ kind: "tarball", localPath: tarball });
    expect(() => parseSourceSpec(`tarball:/x/y.tar.xz@${"b".repeat(64)}`)).toThrow(/the file does not exist/);
    expect(() => parseSourceSpec("git:https://example.org/llvm.git@main")).toThrow(/--source 'git:.*@main': expected/);
  });
  it("parses layers and Python lists", () => {
    const config = ReleaseConfig.parse({});
    expect(parseLayerSpec("prebuilt:/usr/lib/llvm-22", config)).toEqual({ kind: "prebuilt", prefix: "/usr/lib/llvm-22" });
    expect(parseLayerSpec("source", config)).toMatchObject({ kind: "source", cmakeOptions: { MLIR_INSTALL_AGGREGATE_OBJECTS: "ON" } });
    expect(() => parseLayerSpec("docker", config)).toThrow(/--layer 'docker'/);
    expect(parsePythons("3.10, 3.13t")).toEqual(["3.10", "3.13t"]);
    expect(() => parsePythons("2.7")).toThrow(/--python '2.7'/);
  });
});

describe("layer cache key and configure line", () => {
  const source = { root: "/src", version: { major: 22, minor: 1, patch: 8, suffix: "", text: "22.1.8" }, identity: "abc", ref: { kind: "dir" as const, path: "/src" } };
  it("is stable for equal inputs and changes with any option", () => {
    const a = sourceLayerKey(source, "linux-x86_64", { A: "1", B: "2" });
    expect(sourceLayerKey(source, "linux-x86_64", { B: "2", A: "1" })).toBe(a);
    expect(sourceLayerKey(source, "linux-x86_64", { A: "1", B: "3" })).not.toBe(a);
    expect(sourceLayerKey(source, "linux-aarch64", { A: "1", B: "2" })).not.toBe(a);
    expect(sourceLayerKey({ ...source, identity: "other" }, "linux-x86_64", { A: "1", B: "2" })).not.toBe(a);
  });
  it("configures llvm/ with MLIR, the options and ccache when present", () => {
    const args = sourceLayerConfigureArgs(source, "/b", "/i", ReleaseConfig.parse({}).layerCmakeOptions, "/usr/bin/ccache");
    expect(args.slice(0, 6)).toEqual(["cmake", "-G", "Ninja", "-S", "/src/llvm", "-B"]);
    expect(args).toContain("-DLLVM_ENABLE_PROJECTS=mlir");
    expect(args).toContain("-DMLIR_ENABLE_BINDINGS_PYTHON=OFF");
    expect(args).toContain("-DLLVM_TARGETS_TO_BUILD=host;NVPTX;AMDGPU");
    expect(args).toContain("-DCMAKE_CXX_COMPILER_LAUNCHER=/usr/bin/ccache");
    expect(args).toContain("-DCMAKE_INSTALL_PREFIX=/i");
  });
});

describe("bindings configure line", () => {
  it("sets both Python variables, forgets the previous Python first, and passes the domain", () => {
    const args = bindingsConfigureArgs({
      repoRoot: "/repo",
      source: { root: "/src" },
      layer: { version: "22.1.8", mlirCmakeDir: "/usr/lib/llvm-22/lib/cmake/mlir" },
      python: { version: "3.12", executable: "/v/bin/python" },
      buildDir: "/b",
      nanobindDomain: "mlir_release",
    } as never);
    expect(args).toContain("-DPython3_EXECUTABLE=/v/bin/python");
    expect(args).toContain("-DPython_EXECUTABLE=/v/bin/python");
    expect(args).toContain("-DMLIR_BINDINGS_PYTHON_NB_DOMAIN=mlir_release");
    expect(args).toContain("-DMLIR_RELEASE_LLVM_VERSION=22.1.8");
    expect(args.indexOf("-U*Python*")).toBeLessThan(args.indexOf("-DPython3_EXECUTABLE=/v/bin/python"));
    expect(args).toContain("/repo/containers/bindings");
  });
});

describe("wheel metadata", () => {
  it("escapes the distribution name in file names (PEP 427)", () => {
    expect(wheelFileName("mlir-python-bindings", "22.1.8", { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" })).toBe(
      "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl",
    );
    expect(tagOf("mlir_python_bindings-22.1.8-cp312-abi3-win_amd64.whl")).toEqual({ python: "cp312", abi: "abi3", platform: "win_amd64" });
  });
  it("renders core metadata with requirements and Requires-Python", () => {
    const text = renderMetadata({
      distribution: "mlir-python-bindings",
      version: "22.1.8",
      summary: "s",
      license: "Apache-2.0 WITH LLVM-exception",
      requiresPython: ">=3.10",
      requiresDist: ["numpy>=1.19.5,<=2.1.2", 'ml_dtypes>=0.5.0,<=0.6.0; python_version>="3.13"'],
      projectUrls: { Source: "https://example.org/x" },
    });
    expect(text).toMatch(/^Metadata-Version: 2\.1\nName: mlir-python-bindings\nVersion: 22\.1\.8\n/);
    expect(text).toContain("Requires-Python: >=3.10\n");
    expect(text).toContain('Requires-Dist: ml_dtypes>=0.5.0,<=0.6.0; python_version>="3.13"\n');
    expect(text).toContain("Project-URL: Source, https://example.org/x\n");
  });
  it("takes upstream's RUN requirements with lower bounds only, PyYAML as the opdsl extra", () => {
    const upstream = `# BUILD dependencies\nnanobind>=2.9, <3.0\nPyYAML>=5.4.0, <=6.0.1\ntyping_extensions>=4.12.2\n# RUN dependencies\nnumpy>=1.19.5, <=2.1.2\nml_dtypes>=0.1.0, <=0.6.0; python_version<"3.13"   # bf16\nml_dtypes>=0.5.0, <=0.6.0; python_version>="3.13"\n`;
    const reqs = runtimeRequirements(upstream);
    expect(reqs).toEqual([
      'PyYAML>=5.4.0; extra == "opdsl"',
      "numpy>=1.19.5",
      'ml_dtypes>=0.1.0; python_version<"3.13"',
      'ml_dtypes>=0.5.0; python_version>="3.13"',
    ]);
    // No CI cap survives, no build-only package is required.
    expect(reqs.join("\n")).not.toMatch(/<=?\d|nanobind|typing_extensions/);
    const meta = renderMetadata({ distribution: "d", version: "1", summary: "s", license: "l", requiresPython: ">=3.10", requiresDist: reqs, projectUrls: {} });
    expect(meta).toContain("Provides-Extra: opdsl\n");
    expect(meta.indexOf("Provides-Extra: opdsl")).toBeLessThan(meta.indexOf("Requires-Dist: PyYAML"));
  });
  it("keeps an upper cap only when a known incompatibility records it, with a reason", () => {
    const txt = "# RUN dependencies\nnumpy>=1.19.5, <=2.1.2\nml_dtypes~=0.4.1\nfoo==1.2\nbar!=1.3,>1.0,<9\n";
    expect(runtimeRequirements(txt)).toEqual(["numpy>=1.19.5", "ml_dtypes>=0.4.1", "foo>=1.2", "bar!=1.3,>1.0"]);
    const known = [{ name: "NumPy", cap: "< 3", reason: "numpy 3 removes the C API the extensions use (example)" }];
    expect(runtimeRequirements(txt, known)[0]).toBe("numpy>=1.19.5,<3");
    const withMarker = runtimeRequirements('# BUILD\nPyYAML>=5.4.0; python_version<"3.14"\n');
    expect(withMarker).toEqual(['PyYAML>=5.4.0; (python_version<"3.14") and (extra == "opdsl")']);
    expect(() => runtimeRequirements("# RUN\nnumpy>=1,@@\n")).toThrow(/cannot read the version specifier '@@'/);
  });
  it("writes RECORD lines as urlsafe-base64 sha256 without padding", () => {
    const data = Buffer.from("hello\n");
    const expected = createHash("sha256").update(data).digest("base64url");
    expect(recordLine("mlir/x.py", data)).toBe(`mlir/x.py,sha256=${expected},6`);
    expect(expected).not.toMatch(/=$/);
  });
  it("records the LLVM identity in an importable module", () => {
    const text = releaseInfoModule({ LLVM_VERSION: "22.1.8", LLVM_COMMIT: "abc", SOURCE_DATE_EPOCH: 5 });
    expect(text).toContain('LLVM_VERSION = "22.1.8"\n');
    expect(text).toContain("SOURCE_DATE_EPOCH = 5\n");
  });
});

describe("deterministic zip and wheel assembly", () => {
  it("gives equal bytes for equal inputs in any order, with sorted entries, fixed times and modes", async () => {
    const d = tmp();
    const entries = [
      { name: "b/x.so", data: Buffer.from("elf"), executable: true },
      { name: "a.py", data: Buffer.from("print(1)\n") },
    ];
    await writeDeterministicZip(join(d, "1.zip"), entries, 1_700_000_000);
    await writeDeterministicZip(join(d, "2.zip"), [...entries].reverse(), 1_700_000_000);
    const one = readFileSync(join(d, "1.zip"));
    expect(one.equals(readFileSync(join(d, "2.zip")))).toBe(true);
    await writeDeterministicZip(join(d, "3.zip"), entries, 1_700_000_002);
    expect(one.equals(readFileSync(join(d, "3.zip")))).toBe(false);
    // Central directory: first entry a.py, external attrs carry the unix mode.
    const cd = one.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const nameLen = one.readUInt16LE(cd + 28);
    expect(one.subarray(cd + 46, cd + 46 + nameLen).toString()).toBe("a.py");
    expect((one.readUInt32LE(cd + 38) >>> 16) & 0o777).toBe(0o644);
    const cd2 = one.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    expect((one.readUInt32LE(cd2 + 38) >>> 16) & 0o777).toBe(0o755);
    // DOS date/time of 2023-11-14 22:13:20 UTC (even seconds).
    const time = one.readUInt16LE(cd + 12);
    const date = one.readUInt16LE(cd + 14);
    expect([(date >> 9) + 1980, (date >> 5) & 15, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2]).toEqual([2023, 11, 14, 22, 13, 20]);
  });
  it("writes large members through the deflate memo with exactly the bytes of a plain deflate", async () => {
    const d = tmp();
    // Compressible but not trivial: a repeating pattern with noise, just over the memo threshold.
    const big = new Uint8Array(9 << 20);
    let x = 12345;
    for (let i = 0; i < big.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      big[i] = i % 7 === 0 ? x >>> 24 : i & 0xff;
    }
    const entries = [
      { name: "mlir/_mlir_libs/libbig.so", data: big, executable: true },
      { name: "mlir/__init__.py", data: Buffer.from("") },
    ];
    const plain = join(d, "plain.zip");
    await writeDeterministicZip(plain, entries, 1_700_000_000, 6, Number.POSITIVE_INFINITY);
    const before = deflateMemoCounts();
    await writeDeterministicZip(join(d, "memo-1.zip"), entries, 1_700_000_000);
    await writeDeterministicZip(join(d, "memo-2.zip"), entries, 1_700_000_000);
    const after = deflateMemoCounts();
    const bytes = readFileSync(plain);
    expect(readFileSync(join(d, "memo-1.zip")).equals(bytes)).toBe(true);
    expect(readFileSync(join(d, "memo-2.zip")).equals(bytes)).toBe(true);
    expect(bytes.length).toBeLessThan(big.length / 2);
    expect(Buffer.from(unzipSync(bytes)["mlir/_mlir_libs/libbig.so"]!).equals(Buffer.from(big))).toBe(true);
    // Only the large member goes through the memo: deflated once, then reused.
    expect([after.misses - before.misses, after.hits - before.hits]).toEqual([1, 1]);
  });
  it("refuses duplicate entries", async () => {
    await expect(writeDeterministicZip(join(tmp(), "d.zip"), [{ name: "a", data: new Uint8Array() }, { name: "a", data: new Uint8Array() }], 0)).rejects.toThrow(/duplicate entry a/);
  });
  it("assembles a wheel whose RECORD covers every file and skips symlinks and __pycache__", async () => {
    const root = tmp();
    mkdirSync(join(root, "mlir", "_mlir_libs", "__pycache__"), { recursive: true });
    writeFileSync(join(root, "mlir", "__init__.py"), "");
    writeFileSync(join(root, "mlir", "_mlir_libs", "libX.so.22.1"), "elf");
    writeFileSync(join(root, "mlir", "_mlir_libs", "__pycache__", "a.pyc"), "junk");
    const { symlinkSync } = await import("node:fs");
    symlinkSync("libX.so.22.1", join(root, "mlir", "_mlir_libs", "libX.so"));
    const out = tmp();
    const { path } = await assembleWheel({
      root,
      packageName: "mlir",
      metadata: { distribution: "mlir-python-bindings", version: "22.1.8", summary: "s", license: "l", requiresPython: ">=3.10", requiresDist: [], projectUrls: {} },
      tag: { python: "cp312", abi: "cp312", platform: "linux_x86_64" },
      sourceDateEpoch: 1_700_000_000,
      generator: "test",
      extraFiles: { "mlir/_release_info.py": "X = 1\n" },
      outDir: out,
    });
    const files = unzipSync(readFileSync(path));
    const names = Object.keys(files);
    expect(names).toEqual([...names].sort());
    expect(names).not.toContain("mlir/_mlir_libs/libX.so");
    expect(names.some((n) => n.includes("__pycache__"))).toBe(false);
    const record = Buffer.from(files["mlir_python_bindings-22.1.8.dist-info/RECORD"]!).toString();
    for (const n of names.filter((n) => !n.endsWith("RECORD"))) expect(record).toContain(`${n},sha256=`);
    expect(record).toContain("mlir_python_bindings-22.1.8.dist-info/RECORD,,");
    expect(Buffer.from(files["mlir_python_bindings-22.1.8.dist-info/WHEEL"]!).toString()).toContain("Tag: cp312-cp312-linux_x86_64\nRoot-Is-Purelib: false".split("\n")[0]!);
  });
});

describe("verify parsers", () => {
  it("reads auditwheel's verdict and the reason it is constrained", () => {
    const text = `mlir_python_bindings-22.1.8-cp312-cp312-linux_x86_64.whl is consistent
with the following platform tag: "linux_x86_64".

The wheel references external versioned symbols in these
system-provided shared libraries: libc.so.6 with versions
{'GLIBC_2.36'}, libstdc++.so.6 with versions {'GLIBCXX_3.4.30'}

This constrains the platform tag to "manylinux_2_36_x86_64". In order
to achieve a more compatible tag, you would need to recompile a new
wheel from source on a system with earlier versions of these
libraries, such as a recent manylinux image.

The following external shared libraries are required by the wheel:
{
    "libzstd.so.1": "/lib/x86_64-linux-gnu/libzstd.so.1"
}
`;
    const v = parseAuditwheelShow(text);
    expect(v.consistentWith).toBe("linux_x86_64");
    expect(v.constrainedTo).toBe("manylinux_2_36_x86_64");
    expect(v.reasons.join(" ")).toContain("GLIBCXX_3.4.30");
    expect(v.reasons.join(" ")).toContain("libzstd.so.1");
    expect(() => parseAuditwheelShow("nonsense")).toThrow(/unrecognized 'auditwheel show' output/);
  });
  it("reads check-wheel-contents findings", () => {
    const f = parseCheckWheelContents("dist/x.whl: W002 Wheel contains duplicate files:\n  a\n  b\ndist/x.whl: W009 Wheel contains multiple toplevel library entries:\n");
    expect(f.map((x) => x.code)).toEqual(["W002", "W009"]);
    expect(parseCheckWheelContents("dist/x.whl: OK\n")).toEqual([]);
  });
  it("fills every @VAR@ of the lit site template with a Python literal", () => {
    const t = `@LIT_SITE_CFG_IN_HEADER@\nconfig.a = "@A@"\nconfig.b = @B@\nconfig.c = @C@\nconfig.d = lit_config.substitute(path(r"@D@"))\nconfig.e = "@UNKNOWN@"\nconfig.f = @UNKNOWN2@\nload("@A@/test/lit.cfg.py")\n`;
    const out = renderLitSiteConfig(t, { A: "x", B: true, C: 3, D: "/usr/lib" });
    expect(out).toContain('config.a = "x"');
    expect(out).toContain("config.b = True");
    expect(out).toContain("config.c = 3");
    expect(out).toContain('path(r"/usr/lib")');
    expect(out).toContain('config.e = ""');
    expect(out).toContain("config.f = 0");
    expect(out).toContain('load("x/test/lit.cfg.py")');
    expect(out).toContain("def path(p):");
    expect(out).not.toMatch(/@[A-Z_0-9]+@/);
  });
  it("counts lit results by code and names failures", () => {
    const c = parseLitResults(
      JSON.stringify({
        tests: [
          { name: "MLIR :: python/ir/a.py", code: "PASS" },
          { name: "MLIR :: python/ir/b.py", code: "FAIL" },
          { name: "MLIR :: python/c.py", code: "UNSUPPORTED" },
          { name: "MLIR :: python/d.py", code: "XFAIL" },
        ],
      }),
    );
    expect(c).toEqual({ passed: 1, failed: 1, unsupported: 1, xfail: 1, other: 0, failures: ["python/ir/b.py"] });
  });
  it("reads ninja's progress", () => {
    expect(ninjaPercent("[25/100] Building CXX object x.o")).toBe(25);
    expect(ninjaPercent("FAILED: x")).toBeUndefined();
  });
});
