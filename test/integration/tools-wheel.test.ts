// The tools wheel as the build makes it (issue 29 item 2): the factory, asked for the tools wheel and
// no Python, links mlir-opt, mlir-translate and mlir-lsp-server statically as one program from Debian's
// 22.1.8 layer (keeping the LLVM targets the release's layers build: host;NVPTX;AMDGPU; the layer's 19
// others are stubbed out), takes the layer's small tools with their unused DT_NEEDED entries removed,
// repairs it with auditwheel and places it under the 40 MB limit. Installed into a fresh venv, every
// ELF file's `ldd` names nothing but the C/C++ runtime (no libLLVM, libMLIR, libz3, libxml2, libedit),
// and the tools run from PATH: mlir-opt | FileCheck, mlir-translate to LLVM IR, not, count, split-file,
// mlir-tblgen, mlir-lsp-server. Then its report entry becomes the manifest's `tools-wheel` artifact of
// a (small fixture) release, which is staged, indexed, sent to a pypiserver by the PyPI publisher;
// the dashboard's install line for it, pasted as printed, installs it and runs mlir-opt and FileCheck.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { pasteIntoVenv, shellLine } from "../support/paste.js";
import { buildSettings } from "../support/build-settings.js";
import { buildWheels } from "../../src/factory/factory.js";
import { artifactsOf } from "../../src/plan/manifest.js";
import { publishPypi } from "../../src/publish/pypi.js";
import type { BuildReport } from "../../src/schema/build-report.js";
import { addRelease, indexPaths } from "../../src/site/store.js";
import { loadStage, writeStage } from "../../src/stage/stage.js";
import { MULTI_CALL_PROGRAM, toolsPackage, TOOLS_WHEEL_MAX_BYTES } from "../../src/wheels/tools-wheel.js";
import { runCli } from "../support/cli-inprocess.js";
import { CACHE, testEnv, testProgress, TOOLS } from "../support/env.js";
import { makeFixtureRelease } from "../support/release-fixture.js";
import { serveStatic, startPypiServer } from "../support/servers.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "tools-wheel-"));
const ALLOWED = /^(linux-vdso|libc|libm|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so/;
const FORBIDDEN = /^lib(LLVM|MLIR|clang|z3|xml2|edit)[.-]/;
const PIP_ENV = { PIP_CONFIG_FILE: "/dev/null", PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_CACHE_DIR: "1", PIP_REQUIRE_VIRTUALENV: "1" };

const freshVenv = async (): Promise<string> => {
  const v = join(tmp(), "venv");
  await execa(join(TOOLS, "bin", "python"), ["-m", "venv", v]);
  return v;
};

describe("tools wheel, built by the factory from Debian's 22.1.8 layer", () => {
  let report: BuildReport;
  let wheel = "";
  let venv = "";
  beforeAll(async () => {
    const dir = tmp();
    const base = buildSettings({ out: join(dir, "dist"), work: join(dir, "work"), cache: CACHE });
    report = await buildWheels(
      { ...base, pythons: [], dev: false, verify: false, toolsWheel: { targets: "host;NVPTX;AMDGPU" }, release: { ...base.release, sourceDateEpoch: 1_781_000_000 } },
      testEnv("tools-wheel"),
      testProgress("tools-wheel"),
    );
    wheel = join(base.outDir, report.tools!.fileName);
    venv = await freshVenv();
    await execa(join(venv, "bin", "python"), ["-m", "pip", "install", "--no-index", wheel], { env: PIP_ENV });
  }, 1_200_000);

  it("is a repaired manylinux py3-none wheel under 40 MB, recorded in the build report with the targets it left out", () => {
    expect(report.wheels).toEqual([]);
    expect(report.tools?.fileName).toMatch(/^mlir_python_bindings_tools-22\.1\.8-py3-none-manylinux_2_\d+_x86_64\.whl$/);
    expect(report.tools!.size).toBeLessThanOrEqual(TOOLS_WHEEL_MAX_BYTES);
    expect(readFileSync(wheel).length).toBe(report.tools!.size);
    expect(report.tools!.auditwheel?.consistentWith).toMatch(/manylinux_2_\d+_x86_64/);
    expect(report.tools!.droppedTargets).toContain("AArch64");
    expect(report.tools!.droppedTargets).not.toContain("X86");
    expect(report.tools!.droppedTargets).not.toContain("NVPTX");
    expect(report.tools!.droppedTargets).not.toContain("AMDGPU");
    expect(Object.keys(report.tools!.seconds)).toEqual(expect.arrayContaining(["link", "zip", "repair", "place"]));
    process.stderr.write(`[tools-wheel] ${report.tools!.fileName}: ${(report.tools!.size / 1e6).toFixed(1)} MB, without ${report.tools!.droppedTargets.join(" ")}\n`);
  });

  it("ldd: every ELF file in it links only the C/C++ runtime, nothing of the system's LLVM, z3, libxml2 or libedit", async () => {
    const site = execFileSync(join(venv, "bin", "python"), ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).toString().trim();
    const pkg = join(site, toolsPackage("mlir-python-bindings"));
    const files = (await execa("find", [pkg, "-type", "f"])).stdout.split("\n").filter(Boolean);
    const elves = files.filter((f) => readFileSync(f).subarray(0, 4).toString("latin1") === "\x7fELF").sort();
    expect(elves.map((f) => f.slice(pkg.length + 1))).toEqual(["FileCheck", "count", MULTI_CALL_PROGRAM, "mlir-tblgen", "not", "split-file"].map((p) => `bin/${p}`).sort());
    for (const f of elves) {
      const ldd = (await execa("ldd", [f], { reject: false, all: true })).all ?? "";
      const libs = ldd.split("\n").map((l) => l.trim().split(/\s+/)[0]!.split("/").pop()!).filter(Boolean);
      expect(libs.filter((l) => FORBIDDEN.test(l)), f).toEqual([]);
      expect(libs.filter((l) => !ALLOWED.test(l)), `${f}\n${ldd}`).toEqual([]);
      expect(ldd).not.toMatch(/not found/);
    }
    // Nothing grafted either: the wheel has no .libs folder.
    expect(existsSync(join(site, "mlir_python_bindings_tools.libs"))).toBe(false);
  });

  it("the tools run from PATH, without the system's LLVM: a tiny MLIR through mlir-opt into FileCheck, and the rest", async () => {
    const dir = tmp();
    const env = { PATH: `${join(venv, "bin")}:/usr/bin:/bin` };
    const sh = async (cmd: string) => shellLine(cmd, { cwd: dir, env });
    writeFileSync(join(dir, "in.mlir"), "func.func @f(%a: i32) -> i32 {\n  %c = arith.constant 0 : i32\n  %r = arith.addi %a, %c : i32\n  return %r : i32\n}\n");
    writeFileSync(join(dir, "check.txt"), "// CHECK-LABEL: func.func @f\n// CHECK-NEXT: return %arg0 : i32\n// CHECK-NOT: arith.addi\n");
    const pipe = await sh("command -v mlir-opt FileCheck && mlir-opt --canonicalize in.mlir | FileCheck check.txt");
    expect(pipe.exitCode, pipe.all).toBe(0);
    expect(pipe.all).toContain(join(venv, "bin", "mlir-opt"));
    expect(pipe.all).toContain(join(venv, "bin", "FileCheck"));
    // FileCheck fails a check that does not hold (the pipe above proves something).
    expect((await sh("mlir-opt in.mlir | FileCheck check.txt")).exitCode).not.toBe(0);
    const llvm = await sh("mlir-opt --convert-to-llvm in.mlir | mlir-translate --mlir-to-llvmir");
    expect(llvm.exitCode, llvm.all).toBe(0);
    expect(llvm.all).toMatch(/define i32 @f\(i32 %0\)/);
    expect((await sh("not false && ! not true")).exitCode).toBe(0);
    expect((await sh("printf 'a\\nb\\n' | count 2")).exitCode).toBe(0);
    writeFileSync(join(dir, "split.txt"), "//--- a.txt\nA\n//--- b.txt\nB\n");
    expect((await sh("split-file split.txt parts && cat parts/a.txt parts/b.txt")).all.replace(/\s+/g, "")).toBe("AB");
    expect((await sh("mlir-tblgen --version")).all).toMatch(/LLVM version 22\.1\.8/);
    const lsp = await sh("mlir-lsp-server --help");
    expect(lsp.exitCode, lsp.all).toBe(0);
    expect(lsp.all).toMatch(/MLIR LSP Language Server/);
    expect((await sh("mlir-translate --help")).all).toMatch(/--mlir-to-llvmir/);
  }, 120_000);

  it("kept targets work, dropped ones are simply unknown: PTX and AMDGPU ISA from gpu-module-to-binary; an aarch64 data layout fails cleanly", async () => {
    const dir = tmp();
    const env = { PATH: `${join(venv, "bin")}:/usr/bin:/bin` };
    const sh = async (cmd: string) => shellLine(cmd, { cwd: dir, env });
    writeFileSync(
      join(dir, "gpu.mlir"),
      'module attributes {gpu.container_module} {\n  gpu.module @k [#nvvm.target<chip = "sm_70">] {\n    llvm.func @f() attributes {nvvm.kernel} { llvm.return }\n  }\n  gpu.module @r [#rocdl.target<chip = "gfx90a">] {\n    llvm.func @g() attributes {rocdl.kernel} { llvm.return }\n  }\n}\n',
    );
    const gpu = await sh('mlir-opt --gpu-module-to-binary="format=isa" gpu.mlir');
    expect(gpu.exitCode, gpu.all).toBe(0);
    expect(gpu.all).toContain(".target sm_70");
    expect(gpu.all).toContain("amdgcn-amd-amdhsa--gfx90a");
    const layout = (triple: string): string => `module attributes {llvm.target = #llvm.target<triple = "${triple}", chip = "generic">} {\n}\n`;
    writeFileSync(join(dir, "x86.mlir"), layout("x86_64-unknown-linux-gnu"));
    writeFileSync(join(dir, "arm.mlir"), layout("aarch64-unknown-linux-gnu"));
    expect((await sh("mlir-opt --llvm-target-to-data-layout x86.mlir")).all).toContain("dlti.dl_spec");
    const arm = await sh("mlir-opt --llvm-target-to-data-layout arm.mlir");
    expect(arm.exitCode).not.toBe(0);
    expect(arm.all).toMatch(/failed to obtain llvm::DataLayout/);
  }, 120_000);

  it("bad input to `mlir-release tools-wheel`: a one-line error naming the flag, exit 2, nothing written", async () => {
    const out = join(tmp(), "never");
    const r = await runCli(["tools-wheel", "--prefix", join(tmp(), "missing"), "--version", "22.1.8", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--prefix/);
    expect(existsSync(out)).toBe(false);
  });

  it("is staged with its release, indexed as <distribution>-tools, sent to pypiserver; the dashboard's install line works as pasted", async () => {
    const fx = await makeFixtureRelease({ dir: tmp(), version: "22.1.8", kind: "numbered", split: true, wheels: [{ python: "3.12", tag: { python: "py3", abi: "none", platform: "any" }, platform: "linux-x86_64" }] });
    const name = report.tools!.fileName;
    copyFileSync(wheel, join(fx.dir, name));
    // The report's entry, as manifestFromBuild turns it into an artifact.
    const manifest = { ...fx.manifest, artifacts: [...fx.manifest.artifacts, ...artifactsOf(report)] };
    const out = join(tmp(), "stage");
    await writeStage({ manifests: [manifest], artifactsDir: fx.dir, outDir: out });
    const stage = await loadStage(out);
    expect(stage.manifest.artifacts.map((a) => a.kind).sort()).toEqual(["native-wheel", "tools-wheel", "wheel"]);
    expect(readFileSync(join(out, "SHA256SUMS"), "utf8")).toContain(name);
    const root = join(tmp(), "index");
    const site = await serveStatic(indexPaths(root).site);
    const pypi = await startPypiServer(tmp());
    try {
      await addRelease(root, stage, { baseUrl: site.url });
      expect(readdirSync(join(indexPaths(root).site, "simple"))).toContain("mlir-python-bindings-tools");
      const sent = await publishPypi(stage, { repositoryUrl: pypi.url, simpleUrl: pypi.simpleUrl, twine: join(TOOLS, "bin", "twine"), env: testEnv("tools-wheel"), environ: { TWINE_PASSWORD: pypi.token } });
      expect(sent.find((a) => a.file === name)?.action).toBe("uploaded");
      const page = await (await fetch(`${site.url}/index.html`)).text();
      const line = /<code class="install tools">([^<]*)<\/code>/.exec(page)?.[1]?.replace(/&#39;/g, "'").replace(/&amp;/g, "&");
      expect(line).toBe(`pip install 'mlir-python-bindings-tools==22.1.8' --extra-index-url ${site.url}/simple/`);
      // Pasted into a fresh venv whose default index (PyPI's role) is the pypiserver, then as a user
      // of PyPI alone would: the plain name from the pypiserver.
      for (const [what, cmd] of [["dashboard", line!], ["PyPI", "pip install 'mlir-python-bindings-tools==22.1.8'"]] as const) {
        const v = await freshVenv();
        const r = await pasteIntoVenv(v, `${cmd} && mlir-opt --version && FileCheck --version`, {
          cwd: tmp(),
          env: { PIP_CONFIG_FILE: "/dev/null", PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_CACHE_DIR: "1", PIP_INDEX_URL: pypi.simpleUrl },
        });
        expect(r.exitCode, `${what}: ${cmd}\n${r.all}`).toBe(0);
        expect(r.all, what).toMatch(/LLVM version 22\.1\.8/);
      }
    } finally {
      await site.stop();
      await pypi.stop();
    }
  }, 600_000);
});
