// The build as typed steps (issue 13): every platform's plan is one ordered list, provisioning
// first; the tools the steps call come from the family's hashed requirements file; the step runner
// executes exactly the listed argv (a recording environment stands in for hosts we cannot run:
// macOS, Windows, and the aarch64 cross-build when its toolchain is not installed).
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliOk } from "../support/cli-inprocess.js";
import { afterAll, describe, expect, it } from "vitest";
import { shellLine, type ExecEnv } from "../../src/exec/env.js";
import { parseStepLog, runSteps } from "../../src/exec/steps.js";
import { parseSourceSpec } from "../../src/cli/build-commands.js";
import { buildSettingsOf } from "../support/build-settings.js";
import { planBuild } from "../../src/factory/factory.js";
import { dryRunPlans } from "../../src/platforms/dry-run.js";
import type { PlatformPlan } from "../../src/platforms/platform-plan.js";
import { silentProgress } from "../../src/progress.js";
import { type BuildStep, BuildStep as BuildStepSchema } from "../../src/schema/build-step.js";
import { HostEnv } from "../../src/exec/host.js";

const REPO = join(import.meta.dirname, "..", "..");
const FIXTURE_22 = join(REPO, "test", "fixtures", "llvm-trees", "llvm-22.1.8");
const REQ = join(REPO, "containers", "provision", "requirements");
const tmp = mkdtempSync(join(tmpdir(), "steps-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = {
  pythons: ["3.12"],
  distribution: "mlir-python-bindings",
  nanobind: "2.9.2",
  nanobindDomain: "mlir_release",
  repoRoot: REPO,
  workDir: "/tmp/w",
  toolsBin: "/opt/mlir-release-tools/bin",
  sourceRoot: FIXTURE_22,
};

/** An environment that records each command in the log format of HostEnv and runs nothing. */
function recordingEnv(logFile: string): ExecEnv {
  return {
    name: "recording",
    logFile,
    run: async (argv, o) => {
      appendFileSync(logFile, `\n$ ${o?.cwd ? `(cd ${o.cwd}) ` : ""}${shellLine(argv)}\n`);
      return { stdout: "", exitCode: 0 };
    },
  };
}

/** Runs a plan's steps through the step runner (in-process steps as no-ops); the commands the log recorded. */
async function executed(plan: PlatformPlan, name: string): Promise<{ id: string; status: string; commands: string[] }[]> {
  const log = join(tmp, `${name}.log`);
  writeFileSync(log, "");
  const handlers = Object.fromEntries(plan.steps.flatMap((s) => (s.kind === "in-process" ? [[s.name, async () => {}]] : [])));
  // Paths of another machine ($RUNNER_TEMP, C:\mr): nothing to clean, no stamp to check or write here.
  const steps = plan.steps.map((s) => ({ ...s, cleans: [], upToDate: undefined }));
  await runSteps(steps, { env: recordingEnv(log), progress: silentProgress, handlers });
  return parseStepLog(readFileSync(log, "utf8"));
}

const commandOf = (s: BuildStep): string[] => (s.kind === "command" ? [shellLine(s.argv)] : []);

/** Package names a compiled requirements file pins. */
const pinned = (file: string): Set<string> =>
  new Set([...readFileSync(join(REQ, file), "utf8").matchAll(/^([a-z0-9][a-z0-9._-]*)==/gim)].map((m) => m[1]!.toLowerCase()));

/** Which pinned package provides each tool the steps call from the tools venv. */
const PROVIDER: Record<string, string> = {
  cmake: "cmake",
  ninja: "ninja",
  auditwheel: "auditwheel",
  "delocate-wheel": "delocate",
  delvewheel: "delvewheel",
  "check-wheel-contents": "check-wheel-contents",
  python: "(the venv itself)",
};

describe("steps of the platforms this machine cannot run", () => {
  const plans = dryRunPlans({ ...base, platform: "all" });
  const macos = plans.find((p) => p.platform === "macos-arm64")!;
  const windows = plans.find((p) => p.platform === "windows-x64")!;

  it("start with provisioning from the family's hashed file and the toolchain checks, then source, layer, build, repair", () => {
    expect(macos.steps.map((s) => s.id)).toEqual([
      "provision/tools-venv",
      "provision/tools-install",
      "provision/check-toolchain-1",
      "provision/check-toolchain-2",
      "source",
      "layer",
      "py3.12/venv",
      "py3.12/venv-install",
      "py3.12/configure",
      "py3.12/build",
      "py3.12/install",
      "py3.12/strip",
      "py3.12/zip",
      "py3.12/repair",
      "py3.12/place",
      // The runner also offers free-threaded 3.13t/3.14t/3.15t: their own steps follow.
      ...["3.13t", "3.14t", "3.15t"].flatMap((v) => ["venv", "venv-install", "configure", "build", "install", "strip", "zip", "repair", "place"].map((s) => `py${v}/${s}`)),
      // One native wheel per platform, from the first Python's staged package.
      "native/zip",
      "native/repair",
      "native/place",
    ]);
    const install = macos.steps[1]!;
    expect(install.kind === "command" && install.argv).toEqual([
      "$GITHUB_WORKSPACE/.cache/tools/bin/python", "-m", "pip", "install", "-q", "--disable-pip-version-check", "--require-hashes", "--no-deps", "-r", "$GITHUB_WORKSPACE/containers/provision/requirements/tools-macos.txt",
    ]);
    expect(macos.steps.slice(2, 4).map((s) => s.kind === "command" && s.argv[0])).toEqual(["xcode-select", "xcrun"]);
    expect(windows.steps.slice(0, 4).map((s) => (s.kind === "command" ? s.argv.at(-1) : s.id))).toEqual([
      "$GITHUB_WORKSPACE\\.cache\\tools",
      "$GITHUB_WORKSPACE\\containers\\provision\\requirements\\tools-windows.txt",
      "installationPath",
      "cl",
    ]);
    const venvInstall = windows.steps.find((s) => s.id === "py3.12/venv-install")!;
    expect(venvInstall.kind === "command" && venvInstall.argv.slice(-5)).toEqual(["--only-binary=:all:", "--require-hashes", "--no-deps", "-r", "$GITHUB_WORKSPACE\\containers\\provision\\requirements\\build.txt"]);
    // Every build venv, free-threaded ones included, installs wheels only: a missing wheel is an error, not a compile.
    for (const plan of [macos, windows]) {
      const installs = plan.steps.filter((s) => s.id.endsWith("/venv-install"));
      expect(installs.map((s) => s.id)).toEqual(expect.arrayContaining(["py3.13t/venv-install"]));
      for (const s of installs) expect(s.kind === "command" && s.argv, s.id).toContain("--only-binary=:all:");
    }
  });

  it("split: every per-Python repair excludes the native library, the native wheel is repaired once, py3-none, same platform tag", () => {
    const linux = plans.find((p) => p.platform === "linux-x86_64")!;
    const argv = (plan: typeof macos, id: string): string[] => {
      const st = plan.steps.find((s) => s.id === id)!;
      return st.kind === "command" ? st.argv : [];
    };
    for (const plan of [linux, macos, windows]) {
      const native = plan.native!;
      expect(native.wheel).toMatch(/^mlir_python_bindings_native-22\.1\.8-py3-none-/);
      expect(native.tag.split("-").slice(2).join("-")).toBe(plan.builds[0]!.tag.split("-").slice(2).join("-"));
      expect(plan.steps.filter((s) => s.id.startsWith("native/")).length).toBeGreaterThanOrEqual(3);
      // Native steps come after every per-Python build step and before verification.
      const ids = plan.steps.map((s) => s.id);
      expect(ids.indexOf("native/zip")).toBeGreaterThan(ids.lastIndexOf(`py${plan.builds.at(-1)!.python}/place`));
    }
    const py = `py${linux.builds[0]!.python}/repair`;
    expect(argv(linux, py)).toEqual(expect.arrayContaining(["--only-plat", "--exclude", "libMLIRPythonCAPI.so*"]));
    expect(argv(linux, "native/repair")).not.toContain("--exclude");
    expect(argv(linux, "native/repair").at(-1)).toBe(linux.native!.rawWheel);
    const mac = argv(macos, "py3.12/repair");
    expect(mac.slice(1, 3)).toEqual(["--exclude", "libMLIRPythonCAPI"]);
    expect(argv(macos, "native/repair")).not.toContain("--exclude");
    const win = argv(windows, "py3.12/repair");
    expect(win[win.indexOf("--exclude") + 1]).toBe("MLIRPythonCAPI.dll");
    expect(argv(windows, "native/repair")).toContain("--analyze-existing");
    expect(argv(windows, "native/repair")).not.toContain("--exclude");
  });

  it("call only tools the family's requirements file pins", () => {
    for (const [plan, file] of [[macos, "tools-macos.txt"], [windows, "tools-windows.txt"], [plans.find((p) => p.platform === "linux-x86_64")!, "tools-linux.txt"]] as const) {
      const pins = pinned(file);
      const tools = new Set(
        plan.steps.flatMap((s) => (s.kind === "command" && /[/\\]\.cache[/\\]tools[/\\]|mlir-release-tools|^\/tmp\/tools\//.test(s.argv[0]!) ? [s.argv[0]!.split(/[/\\]/).pop()!.replace(/\.exe$/, "")] : [])),
      );
      expect(tools.size, plan.platform).toBeGreaterThanOrEqual(3);
      for (const t of tools) {
        const pkg = PROVIDER[t];
        expect(pkg, `${plan.platform}: ${t} has no known provider`).toBeDefined();
        if (t !== "python") expect(pins.has(pkg!), `${plan.platform}: ${file} does not pin ${pkg}`).toBe(true);
      }
    }
  });

  it("are what the step runner executes: each command step's argv once, in order, in-process steps by name", async () => {
    for (const plan of [macos, windows]) {
      const ran = await executed(plan, plan.platform);
      expect(ran.map((r) => r.id)).toEqual(plan.steps.map((s) => s.id));
      expect(ran.map((r) => r.commands)).toEqual(plan.steps.map(commandOf));
    }
  });
});

describe("linux-aarch64 cross-build (toolchain not needed to plan it)", () => {
  // A cross dir with what planning reads: the arm64 sysroot's glibc version.
  const cross = join(tmp, "cross");
  mkdirSync(join(cross, "sysroot", "usr", "include"), { recursive: true });
  writeFileSync(join(cross, "sysroot", "usr", "include", "features.h"), "#define __GLIBC__ 2\n#define __GLIBC_MINOR__ 36\n");
  // The layer prefix must exist (--layer prebuilt: is checked); planning reads no file from it with --version given.
  mkdirSync(join(cross, "sysroot", "usr", "lib", "llvm-22"), { recursive: true });
  const flags = ["--platform", "linux-aarch64", "--python", "3.11", "--version", "22.1.8", "--source", `dir:${FIXTURE_22}`, "--layer", `prebuilt:${join(cross, "sysroot", "usr", "lib", "llvm-22")}`, "--no-dev", "--no-verify", "--work", join(tmp, "work"), "--cache", join(tmp, "cache"), "--out", join(tmp, "out")];

  it("dry run == its step list == what the runner executes; cross compiler, host tablegen, qemu Python, no build venv", async () => {
    const r = await runCliOk(["build", "--dry-run", ...flags], { cwd: REPO, env: { MLIR_RELEASE_AARCH64_CROSS: cross } });
    const printed: { id: string; commands: string[] }[] = [];
    for (const line of r.stdout.split("\n")) {
      const h = /^\s+\d+\/\d+ (\S+) \[\w+\]$/.exec(line);
      if (h?.[1]) printed.push({ id: h[1], commands: [] });
      else if (/^\s+\$ /.test(line)) printed.at(-1)!.commands.push(line.trim().slice(2));
    }
    const prev = process.env["MLIR_RELEASE_AARCH64_CROSS"];
    process.env["MLIR_RELEASE_AARCH64_CROSS"] = cross;
    let plan: PlatformPlan;
    try {
      const o = { platform: "linux-aarch64", python: "3.11", version: "22.1.8", source: `dir:${FIXTURE_22}`, layer: `prebuilt:${join(cross, "sysroot", "usr", "lib", "llvm-22")}`, dev: false, verify: false, lit: false, work: join(tmp, "work"), cache: join(tmp, "cache"), out: join(tmp, "out") };
      expect(parseSourceSpec(o.source).kind).toBe("dir");
      plan = planBuild(buildSettingsOf(o));
    } finally {
      if (prev === undefined) delete process.env["MLIR_RELEASE_AARCH64_CROSS"];
      else process.env["MLIR_RELEASE_AARCH64_CROSS"] = prev;
    }
    expect(printed.map((p) => p.id)).toEqual(plan.steps.map((s) => s.id));
    expect(printed.map((p) => p.commands)).toEqual(plan.steps.map(commandOf));
    const ran = await executed(plan, "aarch64");
    expect(ran.map((x) => x.commands)).toEqual(printed.map((p) => p.commands));

    const ids = plan.steps.map((s) => s.id);
    expect(ids).not.toContain("py3.11/venv");
    expect(ids.slice(0, 6)).toEqual(["provision/tools-venv", "provision/tools-install", "provision/check-toolchain-1", "provision/check-toolchain-2", "source", "layer"]);
    const argv = (id: string): string[] => {
      const s = plan.steps.find((x) => x.id === id);
      return s?.kind === "command" ? s.argv : [];
    };
    expect(argv("provision/check-toolchain-1")[0]).toBe("aarch64-linux-gnu-g++");
    // The tools venv is the x86_64 host's: made with its CPython 3.12, never with the emulated target's python3.11.
    expect(argv("provision/tools-venv")[0]).not.toContain("python-qemu.sh");
    expect(argv("provision/tools-venv")[0]).toMatch(/python3\.12$/);
    expect(argv("py3.11/configure")).toContain(`-DCMAKE_TOOLCHAIN_FILE=${REPO}/containers/aarch64/toolchain.cmake`);
    expect(argv("py3.11/configure")).toContain(`-DPython_EXECUTABLE=${REPO}/containers/aarch64/python-qemu.sh`);
    expect(argv("py3.11/strip")).toContain("aarch64-linux-gnu-strip");
    expect(argv("py3.11/repair")).toEqual(expect.arrayContaining(["--plat", "auto", `LD_LIBRARY_PATH=${cross}/sysroot/usr/lib/aarch64-linux-gnu`]));
    // The planned wheel carries the sysroot glibc's policy: the place step checks the repaired name against it.
    expect(plan.builds[0]!.wheel).toBe("mlir_python_bindings-22.1.8-cp311-cp311-manylinux_2_36_aarch64.whl");
  }, 120_000);
});

describe("step runner", () => {
  it("cleans before a step, writes a recorded stamp, then skips the stamped steps; a failing command names itself", async () => {
    const dir = join(tmp, "runner");
    const stamp = join(dir, "stamp");
    mkdirSync(join(dir, "stale"), { recursive: true });
    writeFileSync(join(dir, "stale", "x"), "old");
    const steps = [
      { kind: "command", id: "a", phase: "venv", why: "w", argv: ["sh", "-c", "echo made > \"$0\"", join(dir, "made")], cleans: [join(dir, "stale")], upToDate: { stamp, key: "k1" } },
      { kind: "command", id: "b", phase: "venv", why: "w", argv: ["true"], upToDate: { stamp, key: "k1", record: true } },
      { kind: "in-process", id: "c", phase: "zip", why: "w", name: "note" },
    ].map((s) => BuildStepSchema.parse(s));
    const seen: string[] = [];
    const run = async () => {
      const log = join(dir, `run-${seen.length}.log`);
      const r = await runSteps(steps, { env: new HostEnv(log), progress: silentProgress, handlers: { note: async (s) => void seen.push(s.id) } });
      return { records: r.records.map((x) => `${x.id}:${x.status}`), log: parseStepLog(readFileSync(log, "utf8")) };
    };
    const first = await run();
    expect(first.records).toEqual(["a:ran", "b:ran", "c:ran"]);
    expect(existsSync(join(dir, "stale"))).toBe(false);
    expect(readFileSync(stamp, "utf8")).toBe("k1");
    expect(first.log.map((x) => x.commands.length)).toEqual([1, 1, 0]);
    const second = await run();
    expect(second.records).toEqual(["a:up to date", "b:up to date", "c:ran"]);
    expect(second.log.map((x) => x.commands)).toEqual([[], [], []]);
    const failing = [BuildStepSchema.parse({ kind: "command", id: "f", phase: "build", why: "w", argv: ["false"] })];
    await expect(runSteps(failing, { env: new HostEnv(join(dir, "f.log")), progress: silentProgress, handlers: {} })).rejects.toThrow(/command failed \(exit 1\): false/);
    const orphan = [BuildStepSchema.parse({ kind: "in-process", id: "g", phase: "zip", why: "w", name: "nobody" })];
    await expect(runSteps(orphan, { env: new HostEnv(join(dir, "g.log")), progress: silentProgress, handlers: {} })).rejects.toThrow(/no handler for the in-process step 'nobody'/);
  });
});
