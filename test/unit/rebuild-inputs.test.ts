// Issue 25, item 6: each wheel's members with their sha256, the outside inputs of a build, and the
// rebuild message that names the differing member and the changed input without the old wheel.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import type { ExecEnv, RunOptions, RunResult } from "../../src/exec/env.js";
import { HostEnv } from "../../src/exec/host.js";
import { collectInputs, compareInputs, describeInputChanges, graftedLibrary, packageDrift, parseDpkgSearch } from "../../src/rebuild/inputs.js";
import { compareArtifacts, differenceEvidence } from "../../src/rebuild/rebuild.js";
import { memberDifferences, reportMembers, wheelMemberDigests } from "../../src/rebuild/wheel-members.js";
import { BuildReport } from "../../src/schema/build-report.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { BuildInputs, type WheelMember } from "../../src/schema/provenance.js";
import { sha256Hex } from "../../src/util/hash.js";
import { writeDeterministicZip } from "../../src/wheels/zip.js";
import { manifestFromBuild } from "../../src/plan/manifest.js";
import { basePlan } from "../support/release-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "rebuild-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const EPOCH = 1795478400;
const WHEEL = "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_36_x86_64.whl";
const ZSTD = "mlir_python_bindings.libs/libzstd-1a2b3c4d.so.1.5.4";

async function wheel(at: string, files: Record<string, string>, level: 0 | 6 = 6): Promise<string> {
  mkdirSync(join(at, ".."), { recursive: true });
  await writeDeterministicZip(at, Object.entries(files).map(([name, text]) => ({ name, data: enc(text) })), EPOCH, level);
  return at;
}
const BASE = {
  "mlir/__init__.py": "x = 1\n",
  "mlir/_mlir_libs/_mlir.cpython-312-x86_64-linux-gnu.so": "ELF extension bytes",
  [ZSTD]: "ELF zstd 1.5.4+dfsg2-5",
  "mlir_python_bindings-22.1.8.dist-info/RECORD": "record\n",
};

const inputs = (over: Partial<BuildInputs> = {}): BuildInputs =>
  BuildInputs.parse({
    compiler: "c++ (Debian 12.2.0-14+deb12u1) 12.2.0",
    linker: "GNU ld (GNU Binutils for Debian) 2.40",
    layer: { kind: "prebuilt", key: "prebuilt-linux-x86_64-22.1.8-8aa6cce51732", prefix: "/usr/lib/llvm-22" },
    packages: { "libmlir-22-dev": "1:22.1.8-1~deb12u1", "llvm-22-dev": "1:22.1.8-1~deb12u1", libzstd1: "1.5.4+dfsg2-5", "g++-12": "12.2.0-14+deb12u1", binutils: "2.40-2" },
    pythons: { "3.12": { version: "3.12.1", nanobind: "2.9.2" } },
    grafted: { [WHEEL]: [{ member: ZSTD, sha256: sha256Hex("a"), from: "/usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4", package: "libzstd1" }] },
    ...over,
  });

describe("wheel members", () => {
  it("lists a real wheel's file members with the sha256 and size of their bytes, deflated or stored", async () => {
    for (const level of [6, 0] as const) {
      const w = await wheel(join(dir, `l${level}`, WHEEL), { ...BASE, "mlir/dialects/": "" }, level);
      const members = await wheelMemberDigests(w);
      // writeDeterministicZip sorts; the directory-like name ending in / is not a file member
      const expected = Object.entries(BASE)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, text]) => ({ name, sha256: sha256Hex(text), size: enc(text).length }));
      expect(members).toEqual(expected);
    }
  });

  it("reads every wheel of a build report found in the output folder, and refuses a file that is not a zip", async () => {
    const out = join(dir, "out");
    await wheel(join(out, WHEEL), BASE);
    await wheel(join(out, "mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_x86_64.whl"), { "mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1": "capi" });
    const report = { wheels: [{ fileName: WHEEL }], native: { fileName: "mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_x86_64.whl" }, dev: [{ kind: "dev-tarball", fileName: "x.tar.gz" }] } as unknown as BuildReport;
    const m = await reportMembers(report, out);
    expect(Object.keys(m)).toEqual([WHEEL, "mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_x86_64.whl"]);
    expect(m["mlir_python_bindings_native-22.1.8-py3-none-manylinux_2_36_x86_64.whl"]).toEqual([{ name: "mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1", sha256: sha256Hex("capi"), size: 4 }]);
    const bad = join(dir, "bad.whl");
    await execa("sh", ["-c", `printf 'not a zip' > '${bad}'`]);
    await expect(wheelMemberDigests(bad)).rejects.toThrow(/bad\.whl: not a readable wheel/);
  });

  it("names the members whose sha256 differs and those only one side has", () => {
    const a: WheelMember[] = [
      { name: "a", sha256: sha256Hex("1"), size: 1 },
      { name: "b", sha256: sha256Hex("2"), size: 1 },
      { name: "c", sha256: sha256Hex("3"), size: 1 },
    ];
    const b: WheelMember[] = [a[0]!, { name: "b", sha256: sha256Hex("22"), size: 2 }, { name: "d", sha256: sha256Hex("4"), size: 1 }];
    expect(memberDifferences(a, b).map((d) => [d.name, !!d.recorded, !!d.rebuilt])).toEqual([
      ["b", true, true],
      ["c", true, false],
      ["d", false, true],
    ]);
    expect(memberDifferences(a, a)).toEqual([]);
  });
});

describe("outside inputs", () => {
  it("maps a grafted member to its library's file name and parses dpkg-query -S", () => {
    expect(graftedLibrary(ZSTD)).toBe("libzstd.so.1.5.4");
    expect(graftedLibrary("numpy.libs/libgfortran-040039e1.so.5.0.0")).toBe("libgfortran.so.5.0.0");
    expect(graftedLibrary("mlir/_mlir_libs/libzstd.so.1")).toBeUndefined();
    expect(parseDpkgSearch("libzstd1:amd64: /usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4\nlibmlir-22-dev, llvm-22-dev: /usr/lib/llvm-22\n")).toEqual([
      { packages: ["libzstd1:amd64"], path: "/usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4" },
      { packages: ["libmlir-22-dev", "llvm-22-dev"], path: "/usr/lib/llvm-22" },
    ]);
  });

  it("collects the compiler, binutils, the layer's packages, the Python headers and the grafted library's package (recorded argv)", async () => {
    const calls: string[][] = [];
    const answers: Array<[RegExp, string]> = [
      [/^c\+\+ --version$/, "c++ (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright ...\n"],
      [/^ld --version$/, "GNU ld (GNU Binutils for Debian) 2.40\n"],
      [/^sh -c/, "/usr/bin/x86_64-linux-gnu-g++-12\n/usr/bin/x86_64-linux-gnu-ld.bfd\n"],
      [/^dpkg-query -S \*\/libzstd\.so\.1\.5\.4$/, "libzstd1:amd64: /usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4\n"],
      [/^dpkg-query -S \/usr\/bin\/x86_64-linux-gnu-g\+\+-12$/, "g++-12: /usr/bin/x86_64-linux-gnu-g++-12\n"],
      [/^dpkg-query -S \/usr\/bin\/x86_64-linux-gnu-ld\.bfd$/, "binutils-x86-64-linux-gnu: /usr/bin/x86_64-linux-gnu-ld.bfd\n"],
      [/^dpkg-query -S \/usr\/lib\/llvm-22$/, "libmlir-22-dev, llvm-22-dev, mlir-22-tools: /usr/lib/llvm-22\n"],
      [/^dpkg-query -W/, "binutils-x86-64-linux-gnu\t2.40-2\ng++-12\t12.2.0-14+deb12u1\nlibmlir-22-dev\t1:22.1.8-1~deb12u1\nlibzstd1\t1.5.4+dfsg2-5+deb12u1\nllvm-22-dev\t1:22.1.8-1~deb12u1\nmlir-22-tools\t1:22.1.8-1~deb12u1\n"],
      // The facts script is a file (containers/host/python_facts.py), run by the interpreter asked about.
      [/^\/venv\/bin\/python \S+\/containers\/host\/python_facts\.py$/, '{"version": "3.12.1", "nanobind": "2.9.2"}\n'],
    ];
    const env: ExecEnv = {
      name: "fake",
      logFile: "/dev/null",
      run: async (argv: string[], _o?: RunOptions): Promise<RunResult> => {
        calls.push(argv);
        const a = answers.find(([re]) => re.test(argv.join(" ")));
        if (!a) throw new Error(`unexpected ${argv.join(" ")}`);
        return { stdout: a[1], exitCode: 0 };
      },
    };
    const r = await collectInputs(env, {
      layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22", key: "prebuilt-linux-x86_64-22.1.8-8aa6cce51732" },
      pythons: [{ python: "3.12", executable: "/venv/bin/python" }],
      members: { [WHEEL]: [{ name: ZSTD, sha256: sha256Hex("z"), size: 1 }, { name: "mlir/__init__.py", sha256: sha256Hex("i"), size: 1 }] },
    });
    expect(r).toEqual({
      compiler: "c++ (Debian 12.2.0-14+deb12u1) 12.2.0",
      linker: "GNU ld (GNU Binutils for Debian) 2.40",
      layer: { kind: "prebuilt", key: "prebuilt-linux-x86_64-22.1.8-8aa6cce51732", prefix: "/usr/lib/llvm-22" },
      packages: {
        "binutils-x86-64-linux-gnu": "2.40-2",
        "g++-12": "12.2.0-14+deb12u1",
        "libmlir-22-dev": "1:22.1.8-1~deb12u1",
        libzstd1: "1.5.4+dfsg2-5+deb12u1",
        "llvm-22-dev": "1:22.1.8-1~deb12u1",
        "mlir-22-tools": "1:22.1.8-1~deb12u1",
      },
      pythons: { "3.12": { version: "3.12.1", nanobind: "2.9.2" } },
      grafted: { [WHEEL]: [{ member: ZSTD, sha256: sha256Hex("z"), from: "/usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4", package: "libzstd1" }] },
      notes: [],
    });
    expect(BuildInputs.parse(r)).toEqual(r);
    expect(calls.find((c) => c[0] === "dpkg-query" && c[1] === "-W")?.slice(4)).toEqual([
      "binutils-x86-64-linux-gnu",
      "g++-12",
      "libmlir-22-dev",
      "libzstd1:amd64",
      "llvm-22-dev",
      "mlir-22-tools",
    ]);
  });

  it("on this machine: real c++, ld, dpkg-query and Python; a prefix no package owns is noted", async () => {
    const q = await execa("dpkg-query", ["-L", "libzstd1"]);
    const zstd = q.stdout.split("\n").find((l) => /\/libzstd\.so\.1\.\d+\.\d+$/.test(l))!;
    const member = `pkg.libs/${basename(zstd).replace(/^libzstd/, "libzstd-0123abcd")}`;
    const prefix = join(dir, "not-a-package");
    mkdirSync(prefix);
    const env = new HostEnv(join(dir, "inputs.log"));
    const r = await collectInputs(env, {
      layer: { kind: "prebuilt", prefix, key: "k" },
      pythons: [{ python: "3.x", executable: "python3" }],
      members: { "pkg-1-py3-none-any.whl": [{ name: member, sha256: sha256Hex("z"), size: 1 }] },
    });
    expect(r.compiler).toBe((await execa("c++", ["--version"])).stdout.split("\n")[0]);
    expect(r.linker).toBe((await execa("ld", ["--version"])).stdout.split("\n")[0]);
    expect(r.packages["libzstd1"]).toBe((await execa("dpkg-query", ["-W", "-f", "${Version}", "libzstd1"])).stdout);
    expect(r.grafted["pkg-1-py3-none-any.whl"]).toEqual([{ member, sha256: sha256Hex("z"), from: expect.stringMatching(/libzstd\.so\.1\.\d+\.\d+$/), package: "libzstd1" }]);
    expect(r.pythons["3.x"]?.version).toBe((await execa("python3", ["-c", "import platform; print(platform.python_version())"])).stdout);
    expect(r.notes).toEqual([`${prefix}: not owned by an installed package (dpkg-query -S), so only its key is recorded`]);
    // the compiler's and the linker's packages are found through their real paths
    expect(Object.keys(r.packages).length).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(dir, "inputs.log"), "utf8")).toMatch(/dpkg-query -S/);
  });

  it("before a rebuild: names the recorded packages installed at another version here, or not installed (real dpkg-query)", async () => {
    const zstd = (await execa("dpkg-query", ["-W", "-f", "${Version}", "libzstd1"])).stdout;
    const env = new HostEnv(join(dir, "drift.log"));
    const recorded = inputs({ packages: { libzstd1: "1.5.4+dfsg2-5-recorded", "mlir-release-no-such-package": "1.0" } });
    expect(await packageDrift(env, recorded)).toEqual([
      { what: "package libzstd1", recorded: "1.5.4+dfsg2-5-recorded", current: zstd },
      { what: "package mlir-release-no-such-package", recorded: "1.0" },
    ]);
    expect(await packageDrift(env, inputs({ packages: { libzstd1: zstd } }))).toEqual([]);
  });

  it("compares two records: every changed, added or dropped input, by name; a grafted library by its own name", () => {
    const here = inputs({
      packages: { ...inputs().packages, libzstd1: "1.5.4+dfsg2-5+deb12u1" },
      pythons: { "3.12": { version: "3.12.8", nanobind: "2.9.2" } },
      grafted: { [WHEEL]: [{ member: "mlir_python_bindings.libs/libzstd-9f8e7d6c.so.1.5.4", sha256: sha256Hex("b"), package: "libzstd1" }] },
    });
    const changes = compareInputs(inputs(), here);
    expect(changes.map((c) => c.what)).toEqual(["Python 3.12 headers (interpreter version)", `grafted libzstd.so.1.5.4 in ${WHEEL}`, "package libzstd1"]);
    expect(describeInputChanges(changes.filter((c) => !c.what.startsWith("grafted")))).toBe(
      "Python 3.12 headers (interpreter version): 3.12.1 recorded, 3.12.8 here; package libzstd1: 1.5.4+dfsg2-5 recorded, 1.5.4+dfsg2-5+deb12u1 here",
    );
    expect(compareInputs(inputs(), inputs())).toEqual([]);
    const { "g++-12": _, ...noGcc } = inputs().packages;
    expect(compareInputs(inputs(), inputs({ packages: noGcc }))).toEqual([{ what: "package g++-12", recorded: "12.2.0-14+deb12u1" }]);
    // a source layer's prefix is a cache path of the machine, not an input; its options are
    const src = (prefix: string, opt: string) => inputs({ layer: { kind: "source", key: "k", prefix, cmakeOptions: { LLVM_TARGETS_TO_BUILD: opt } } });
    expect(compareInputs(src("/a", "X86"), src("/b", "X86"))).toEqual([]);
    expect(compareInputs(src("/a", "X86"), src("/a", "host"))).toEqual([{ what: "layer CMake option LLVM_TARGETS_TO_BUILD", recorded: "X86", current: "host" }]);
  });
});

describe("rebuild on another machine", () => {
  it("names the member that differs and the input that changed, from a fixture manifest, without the old wheel", async () => {
    const recordedWheel = await wheel(join(dir, "first", WHEEL), BASE);
    const manifest = ReleaseManifest.parse({
      schemaVersion: 1,
      plan: { ...basePlan("22.1.8", "numbered", "c".repeat(40)), matrix: [{ platform: "linux-x86_64", python: "3.12", abi: "cpython", tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" } }] },
      artifacts: [{ kind: "wheel", fileName: WHEEL, sha256: sha256Hex(readFileSync(recordedWheel)), size: readFileSync(recordedWheel).length, platform: "linux-x86_64", python: "3.12" }],
      provenance: { builder: "b", pipelineVersion: "p", layer: {}, members: { [WHEEL]: await wheelMemberDigests(recordedWheel) }, inputs: inputs() },
    });
    // this machine: Debian's security update of libzstd1 grafted other bytes
    const rebuiltDir = join(dir, "second");
    const zstd2 = "mlir_python_bindings.libs/libzstd-9f8e7d6c.so.1.5.4";
    const { [ZSTD]: _, ...rest } = BASE;
    await wheel(join(rebuiltDir, WHEEL), { ...rest, [zstd2]: "ELF zstd 1.5.4+dfsg2-5+deb12u1" });
    const here = inputs({
      packages: { ...inputs().packages, libzstd1: "1.5.4+dfsg2-5+deb12u1" },
      grafted: { [WHEEL]: [{ member: zstd2, sha256: sha256Hex("b"), package: "libzstd1" }] },
    });
    const evidence = differenceEvidence(manifest, { members: await reportMembers({ wheels: [{ fileName: WHEEL }], dev: [] } as unknown as BuildReport, rebuiltDir), inputs: here });
    const [r] = await compareArtifacts(manifest.artifacts, rebuiltDir, join(dir, "nowhere"), evidence);
    expect(r).toMatchObject({ fileName: WHEEL, result: "different", differingMembers: [ZSTD, zstd2] });
    expect(r!.firstDifference).toBe(
      `members whose sha256 differs from the manifest's list: ${ZSTD} (only in the recorded wheel); ${zstd2} (only in the rebuilt wheel)`,
    );
    expect(r!.note).toContain("package libzstd1: 1.5.4+dfsg2-5 recorded, 1.5.4+dfsg2-5+deb12u1 here");
    expect(r!.note).toContain(`grafted libzstd.so.1.5.4 in ${WHEEL}`);

    // same member names, other bytes in one: named with both digests
    await wheel(join(dir, "third", WHEEL), { ...BASE, "mlir/_mlir_libs/_mlir.cpython-312-x86_64-linux-gnu.so": "ELF extension bytes!" });
    const ev3 = differenceEvidence(manifest, { members: await reportMembers({ wheels: [{ fileName: WHEEL }], dev: [] } as unknown as BuildReport, join(dir, "third")), inputs: inputs() });
    const [r3] = await compareArtifacts(manifest.artifacts, join(dir, "third"), join(dir, "nowhere"), ev3);
    expect(r3!.firstDifference).toMatch(/^members whose sha256 differs from the manifest's list: mlir\/_mlir_libs\/_mlir\.cpython-312-x86_64-linux-gnu\.so \(sha256 [0-9a-f]{8}…, 19 B recorded, [0-9a-f]{8}…, 20 B rebuilt\)$/);
    expect(r3!.note).toBe("every recorded outside input is the same on this machine");

    // a manifest from before issue 25: no member lists, no inputs — said so
    const old = ReleaseManifest.parse({ ...manifest, provenance: { builder: "b", pipelineVersion: "p", layer: {} } });
    const [r4] = await compareArtifacts(old.artifacts, rebuiltDir, join(dir, "nowhere"), differenceEvidence(old, { inputs: here }));
    expect(r4!.firstDifference).toMatch(/the manifest lists no members/);
    expect(r4!.note).toBe("the manifest records no outside inputs (built before they were recorded)");
  });
});

describe("manifest", () => {
  it("copies the report's member lists and inputs into the provenance; a report without them gives a manifest without them", () => {
    const plan = { ...basePlan("22.1.8", "numbered", "c".repeat(40)), matrix: [{ platform: "linux-x86_64" as const, python: "3.12", abi: "cpython" as const, tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" } }] };
    const report = BuildReport.parse({
      platform: "linux-x86_64",
      distribution: "mlir-python-bindings",
      version: "22.1.8",
      llvm: { version: "22.1.8", commit: "c".repeat(40), sourceIdentity: "s" },
      layer: { kind: "prebuilt", prefix: "/usr/lib/llvm-22", key: "k" },
      sourceDateEpoch: plan.sourceDateEpoch,
      nanobindDomain: "mlir_release",
      wheels: [{ python: "3.12", fileName: WHEEL, sha256: sha256Hex("w"), size: 1, tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_36_x86_64" }, reused: false, seconds: {} }],
      seconds: {},
    });
    const members = { [WHEEL]: [{ name: "mlir/__init__.py", sha256: sha256Hex("i"), size: 1 }] };
    const prov = { builder: "b", pipelineVersion: "p", layer: {} };
    const m = manifestFromBuild(plan, { ...report, members, inputs: inputs() }, prov);
    expect(m.provenance.members).toEqual(members);
    expect(m.provenance.inputs).toEqual(inputs());
    expect(ReleaseManifest.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
    const bare = manifestFromBuild(plan, report, prov);
    expect("members" in bare.provenance || "inputs" in bare.provenance).toBe(false);
  });
});
