// Issue 30 item 4: a failing external tool (a fetch script, ninja) ended as "internal error … a bug
// in mlir-release", exit 70. It is a check that failed (README "Exit status": a tool's non-zero
// exit is 3): one `error:` line naming the step, the tool, its exit status (with the signal behind
// 128 + n) and the log holding the full output. Real programs throughout: bash, curl, a local
// HTTP server on 127.0.0.1, and the CLI's real fetch path through main().
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandFailedError } from "../../src/exec/env.js";
import { HostEnv } from "../../src/exec/host.js";
import { runSteps } from "../../src/exec/steps.js";
import { endedWith, toolName } from "../../src/exec/tool-failure.js";
import { EXIT, formatError, toReleaseError, ToolFailedError } from "../../src/errors.js";
import { ConsoleProgress, silentProgress } from "../../src/progress.js";
import { BuildStep } from "../../src/schema/build-step.js";
import { DEBIAN_SOURCES, treeDirName } from "../../src/source/tree.js";
import { failureShape, runCli } from "../support/cli-inprocess.js";
import { REPO } from "../support/env.js";
import { serveStatic, type StaticServer } from "../support/servers.js";

const dirs: string[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** What a failed run gives a user: the error as the CLI converts it, and the text it prints. */
async function failure(p: Promise<unknown>): Promise<{ e: ReturnType<typeof toReleaseError>; text: string }> {
  const thrown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(thrown).toBeInstanceOf(CommandFailedError);
  const e = toReleaseError(thrown);
  return { e, text: formatError(e, false) };
}

describe("the tool as a user names it, and how it ended", () => {
  it("argv[0]'s base name; the script of an interpreter; bash -c; python -m", () => {
    expect(toolName(["/usr/bin/ninja", "-C", "build", "install"])).toBe("ninja");
    expect(toolName(["bash", join(REPO, "containers", "host", "fetch-debian-orig.sh"), "llvm-toolchain-22"])).toBe("bash fetch-debian-orig.sh");
    expect(toolName(["bash", "-o", "pipefail", "ci/setup.sh"])).toBe("bash setup.sh");
    expect(toolName(["bash", "-c", "tar -tf \"$1\" | head -n1", "-", "x.tar.xz"])).toBe("bash -c");
    expect(toolName(["/opt/tools/bin/python3.12", "-m", "pip", "install", "-r", "r.txt"])).toBe("python3.12 -m pip");
    expect(toolName(["C:\\tools\\cmake.exe", "--build", "."])).toBe("cmake");
  });

  it("128 + n names the signal (141 is SIGPIPE); 127 and 126 say why", () => {
    expect(endedWith(7)).toBe("exited with status 7");
    expect(endedWith(141)).toBe("exited with status 141 (128 + SIGPIPE: a process was killed by SIGPIPE)");
    expect(endedWith(143, "SIGTERM")).toBe("was killed by SIGTERM (status 143)");
    expect(endedWith(127)).toMatch(/command not found/);
    expect(endedWith(126)).toMatch(/not executable/);
  });
});

describe("a failing tool is exit 3 with one line: step, tool, status, log", () => {
  it("bash -c 'exit 7': a ToolFailedError, exit 3, one line with the tool, the status, the log and the last output line", async () => {
    const log = join(tmp("tool-fail-"), "run.log");
    const { e, text } = await failure(new HostEnv(log).run(["bash", "-c", "echo first; echo 'ninja: build stopped: subcommand failed.' >&2; exit 7"]));
    expect(e).toBeInstanceOf(ToolFailedError);
    expect(e.exitCode).toBe(EXIT.check);
    expect(e.code).toBe("tool-failed");
    expect(text.trimEnd().split("\n")).toHaveLength(1);
    expect(text).toMatch(/^error: /);
    expect(text).toContain(`bash -c exited with status 7; full output in ${log}; last line: ninja: build stopped: subcommand failed.`);
    expect(text).not.toMatch(/internal error|a bug in mlir-release/);
    // The log holds the full output the line points to.
    expect(readFileSync(log, "utf8")).toContain("first\n");
  });

  it("a command killed by a signal and a missing command: the signal and 127 are named", async () => {
    const log = join(tmp("tool-sig-"), "run.log");
    const killed = await failure(new HostEnv(log).run(["bash", "-c", "kill -TERM $$"]));
    expect(killed.e.exitCode).toBe(EXIT.check);
    expect(killed.text).toContain("bash -c was killed by SIGTERM (status 143)");
    const missing = await failure(new HostEnv(log).run(["mlir-release-no-such-tool", "--version"]));
    expect(missing.e.exitCode).toBe(EXIT.check);
    expect(missing.text).toContain("mlir-release-no-such-tool exited with status 127 (command not found)");
    expect(missing.text).toMatch(/last line: .*ENOENT/);
  });

  it("in the step runner: the line names the build step and the progress's stage and step", async () => {
    const log = join(tmp("tool-step-"), "run.log");
    const lines: string[] = [];
    const steps = [
      BuildStep.parse({ kind: "command", id: "layer/ok", phase: "layer", why: "w", argv: ["true"] }),
      BuildStep.parse({ kind: "command", id: "layer/build", phase: "layer", why: "w", argv: ["bash", "-c", "echo '[1/2] CXX a.o'; exit 1"] }),
    ];
    const { e, text } = await failure(runSteps(steps, { env: new HostEnv(log), progress: new ConsoleProgress((l) => lines.push(l)), handlers: {} }));
    expect(e.exitCode).toBe(EXIT.check);
    expect(text.trimEnd()).toBe(`error: step layer › 2/2 layer/build: bash -c exited with status 1; full output in ${log}; last line: [1/2] CXX a.o`);
    // A silent progress still keeps the position; an in-process step whose handler names its own
    // sub-step (the layer's "build install") gets the build step's id in front.
    const quiet = await failure(runSteps(steps.slice(1), { env: new HostEnv(log), progress: silentProgress, handlers: {} }));
    expect(quiet.text).toMatch(/^error: step layer › 1\/1 layer\/build: bash -c exited with status 1; /);
    const inProcess = [BuildStep.parse({ kind: "in-process", id: "llvm-layer", phase: "layer", why: "w", name: "layer" })];
    const handler = await failure(
      runSteps(inProcess, {
        env: new HostEnv(log),
        progress: silentProgress,
        handlers: {
          layer: async (_s, ctx) => {
            ctx.progress.step("build install");
            await ctx.env.run(["bash", "-c", "exit 2"]);
          },
        },
      }),
    );
    expect(handler.text).toMatch(/^error: step llvm-layer \(layer › build install\): bash -c exited with status 2; full output in /);
  });
});

describe("the source fetch failing, through main() (the real fetch script, fake apt-cache, real curl)", { timeout: 300_000 }, () => {
  const ref = DEBIAN_SOURCES["22.1.8"]!;
  let server: StaticServer;
  afterAll(async () => {
    await server?.stop();
  });

  /**
   * A cache where the bindings tree is known (so the plan can name the LLVM version) but the
   * tarball is not: the build goes to fetch it, with a scratch apt configuration naming a mirror on
   * 127.0.0.1 and `apt-cache` replaced by `fakeAptCache`.
   */
  async function failingFetch(fakeAptCache: string) {
    server ??= await serveStatic(tmp("empty-mirror-"));
    const root = tmp("fetch-fail-");
    const cache = join(root, "cache");
    const tree = join(cache, "trees", treeDirName(ref.sha256, "bindings"), "cmake", "Modules");
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, "LLVMVersion.cmake"), "set(LLVM_VERSION_MAJOR 22)\nset(LLVM_VERSION_MINOR 1)\nset(LLVM_VERSION_PATCH 8)\n");
    const apt = join(root, "apt", "sources.list.d");
    mkdirSync(apt, { recursive: true });
    const sources = `Types: deb\nURIs: ${server.url}/debian\nSuites: sid\nComponents: main\n`;
    writeFileSync(join(apt, "debian.sources"), sources);
    // Present, so the script does not run apt-get update against the scratch configuration.
    writeFileSync(join(apt, "mlir-release-src-sid.sources"), sources.replace("deb\n", "deb-src\n"));
    const bin = join(root, "bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "apt-cache"), `#!/usr/bin/env bash\n${fakeAptCache}\n`);
    chmodSync(join(bin, "apt-cache"), 0o755);
    const r = await runCli(["build", "--source", "debian:22.1.8", "--layer", "source", "--cache", cache, "--out", join(root, "out"), "--no-verify"], {
      env: { PATH: `${bin}${delimiter}${process.env["PATH"] ?? ""}`, MLIR_RELEASE_APT_ETC: join(root, "apt") },
    });
    const errorLine = r.stderr.split("\n").find((l) => l.startsWith("error:")) ?? "";
    const log = /full output in (\S+?)(?:;|$)/.exec(errorLine)?.[1] ?? "";
    return { r, errorLine, log, sources: join(cache, "sources") };
  }

  const expectOneToolLine = (x: Awaited<ReturnType<typeof failingFetch>>, status: RegExp) => {
    expect(x.r.code, x.r.stderr).toBe(EXIT.check);
    expect(failureShape(x.r)).toEqual({ errorLines: 1, stack: false });
    expect(x.errorLine).toMatch(new RegExp(`^error: step source › fetch ${ref.file.replaceAll(".", "\\.")} \\(Debian source package llvm-toolchain-22\\): bash fetch-debian-orig\\.sh ${status.source}; full output in `));
    expect(x.errorLine).not.toMatch(/internal error|a bug in mlir-release/);
    expect(existsSync(x.log), x.errorLine).toBe(true);
    // Nothing half-fetched is left behind.
    expect(existsSync(x.sources) ? readdirSync(x.sources) : []).toEqual([]);
  };

  it("apt-cache fails: exit 3, one line naming the step, the script, its status and the log (with apt-cache's message)", async () => {
    const x = await failingFetch('echo "E: simulated apt-cache failure" >&2; exit 100');
    expectOneToolLine(x, /exited with status 100/);
    expect(x.errorLine).toMatch(/last line: E: simulated apt-cache failure$/);
    expect(readFileSync(x.log, "utf8")).toContain("E: simulated apt-cache failure");
  });

  it("apt-cache killed by SIGPIPE (the reported exit 141): the line says 141 and SIGPIPE", async () => {
    const x = await failingFetch("kill -PIPE $$");
    expectOneToolLine(x, /exited with status 141 \(128 \+ SIGPIPE: a process was killed by SIGPIPE\)/);
  });

  it("the download fails (real curl, the local mirror answers 404): curl's status 22 through the script, the request made", async () => {
    const x = await failingFetch(
      `printf 'Package: llvm-toolchain-22\\nFiles:\\n 0123 1 ${ref.file}\\nDirectory: pool/main/l/llvm-toolchain-22\\n'`,
    );
    expectOneToolLine(x, /exited with status 22/);
    expect(server.requests).toContain(`/debian/pool/main/l/llvm-toolchain-22/${ref.file}`);
    expect(readFileSync(x.log, "utf8")).toMatch(/curl: \(22\)/);
  });
});
