// Issue 14: every path built from data (versions, names, file names) stays under its root, in
// conda, the dev distribution and the site's pages too. The schemas already refuse such values
// at the edge; these tests hand hostile values straight to the writers (as a bug or a hand-made
// store would) and assert the one-line PathEscapeError and that nothing lands outside the root.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildDevDistribution, devDistPaths, type DevReleaseInfo } from "../../src/dev/devdist.js";
import { EXIT, PathEscapeError } from "../../src/errors.js";
import type { ExecEnv } from "../../src/exec/env.js";
import type { Progress } from "../../src/progress.js";
import { publishConda } from "../../src/publish/conda.js";
import { type Artifact } from "../../src/schema/artifact.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { renderSite } from "../../src/site/render.js";
import { writePages } from "../../src/site/store.js";
import { underRoot } from "../../src/util/paths.js";
import { basePlan } from "../support/release-fixture.js";

let T: string; // the test's own folder: the root is T/root, "outside" is everything else under T
let root: string;
beforeEach(() => {
  T = mkdtempSync(join(tmpdir(), "paths-from-data-"));
  root = join(T, "root");
  mkdirSync(root);
});
afterEach(() => rmSync(T, { recursive: true, force: true }));

/** Everything under T outside T/root (what an escape would leave). */
const outside = (): string[] => readdirSync(T, { recursive: true }).map(String).filter((p) => p !== "root" && !p.startsWith(`root/`));

/** The thrown error: a PathEscapeError (bad input, exit 2) on one line naming what it was. */
function escapeError(fn: () => unknown, what: RegExp): PathEscapeError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PathEscapeError);
  const e = err as PathEscapeError;
  expect(e.exitCode).toBe(EXIT.badInput);
  expect(e.message).not.toContain("\n");
  expect(e.message).toMatch(what);
  return e;
}
async function escapeErrorAsync(p: Promise<unknown>, what: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  escapeError(() => {
    if (e) throw e;
  }, what);
}

/** An ExecEnv that records: a path check must refuse before any tool runs. */
const recordingEnv = (): ExecEnv & { calls: string[][] } => {
  const calls: string[][] = [];
  return { name: "recording", logFile: join(T, "root", "log"), calls, run: async (argv: string[]) => (calls.push(argv), { stdout: "", stderr: "", code: 0 }) } as unknown as ExecEnv & { calls: string[][] };
};

describe("underRoot itself", () => {
  it("refuses ../, an absolute part, a part with a '/' that stays inside, and a symlink out", () => {
    escapeError(() => underRoot(root, ["../x"], "a name"), /^a name: '\.\.\/x' leads outside/);
    escapeError(() => underRoot(root, [join(T, "x")], "a name"), /is an absolute path/);
    escapeError(() => underRoot(root, ["dist-../x-1.conda"], "a name"), /'dist-\.\.\/x-1\.conda' is not a plain name/);
    escapeError(() => underRoot(root, ["a", ".."], "a name"), /'\.\.' is not a plain name/);
    mkdirSync(join(T, "elsewhere"));
    symlinkSync(join(T, "elsewhere"), join(root, "link"));
    escapeError(() => underRoot(root, ["link", "x.whl"], "a name"), /'link\/x\.whl' leads outside .* through a symlink/);
    rmSync(join(root, "link"));
    rmSync(join(T, "elsewhere"), { recursive: true });
    expect(underRoot(root, ["a", "b.whl"], "a name")).toBe(join(root, "a", "b.whl"));
  });
});

/** A valid manifest (parsed by the schema), then the hostile values put in behind its back. */
const manifestWith = (o: { version?: string; distribution?: string; fileName?: string }): ReleaseManifest => {
  const wheel: Artifact = {
    kind: "wheel",
    fileName: "mlir_python_bindings-22.1.8-cp312-cp312-manylinux_2_28_x86_64.whl",
    sha256: "0".repeat(64),
    size: 1,
    platform: "linux-x86_64",
    python: "3.12",
    tag: { python: "cp312", abi: "cp312", platform: "manylinux_2_28_x86_64" },
  };
  const m = ReleaseManifest.parse({ schemaVersion: 1, plan: basePlan("22.1.8", "numbered", "c".repeat(40)), artifacts: [wheel], provenance: { builder: "test", pipelineVersion: "0" } });
  if (o.version !== undefined) m.plan.version = o.version;
  if (o.distribution !== undefined) m.plan.distribution = o.distribution;
  if (o.fileName !== undefined) m.artifacts[0]!.fileName = o.fileName;
  return m;
};

describe("conda", () => {
  const conda = (m: ReleaseManifest, env: ExecEnv) =>
    publishConda({ manifest: m, files: m.artifacts.map((a) => ({ fileName: a.fileName, path: join(root, "stage", a.fileName) })) }, { channel: join(root, "channel"), workDir: join(root, "work"), python: join(root, "python"), env, hostSubdir: "linux-64" });

  it("a wheel file name ../../x or an absolute one, a version ../x: refused before a recipe, a copy or rattler-build", async () => {
    for (const [m, what] of [
      [manifestWith({ fileName: "../../escaped.whl" }), /^conda: wheel \.\.\/\.\.\/escaped\.whl: 'wheels\/\.\.\/\.\.\/escaped\.whl' leads outside/],
      [manifestWith({ fileName: join(T, "escaped.whl") }), /is an absolute path/],
      [manifestWith({ version: "../escaped" }), /^conda: package mlir-python-bindings-\.\.\/escaped-py312_0\.conda: .* is not a plain name/],
      [manifestWith({ distribution: "../../escaped" }), /^conda: package \.\.\/\.\.\/escaped-22\.1\.8-py312_0\.conda: .* leads outside/],
    ] as const) {
      const env = recordingEnv();
      await escapeErrorAsync(conda(m, env), what);
      expect(env.calls).toEqual([]);
      expect(existsSync(join(root, "work"))).toBe(false); // nothing written at all, not even inside
    }
    expect(outside()).toEqual([]);
  });
});

describe("dev distribution", () => {
  const info: DevReleaseInfo = {
    distribution: "mlir-python-bindings",
    devDistribution: "mlir-python-bindings-dev",
    version: "22.1.8",
    llvmVersion: "22.1.8",
    llvmCommit: "c".repeat(40),
    platform: "linux-x86_64",
    nanobind: "2.9.2",
    nanobindDomain: "mlir_release",
    packagePrefix: "mlir",
  };

  it("its paths are the expected plain names under workDir and outDir", () => {
    const p = devDistPaths(join(root, "work"), join(root, "out"), info);
    expect(p).toMatchObject({
      root: join(root, "work", "dev", "linux-x86_64", "mlir-dev-22.1.8-linux-x86_64"),
      tarFile: join(root, "out", "mlir-dev-22.1.8-linux-x86_64.tar.zst"),
      wheelDist: join(root, "work", "dev", "linux-x86_64", "wheel-root", "mlir_python_bindings_dev", "dist"),
    });
  });

  it("a version, platform or dev distribution name with ../ or an absolute path is refused before anything is removed or written", async () => {
    // A folder the old code would have removed (rmSync of <workDir>/dev/<platform> = ../../victim).
    mkdirSync(join(T, "victim"));
    for (const [bad, what] of [
      [{ version: "../../../../escaped" }, /^dev distribution 'mlir-dev-\.\.\/.*' leads outside|is not a plain name/],
      [{ platform: "../../../victim" }, /^dev distribution platform '\.\.\/\.\.\/\.\.\/victim': .* leads outside/],
      [{ platform: join(T, "victim") }, /is an absolute path/],
      [{ devDistribution: "../../../escaped" }, /^dev distribution package '\.\.\/\.\.\/\.\.\/escaped': '__\/__\/__\/escaped' is not a plain name/],
    ] as const) {
      const env = recordingEnv();
      const progress = { step: () => {}, stage: () => {}, done: () => {} } as unknown as Progress;
      await escapeErrorAsync(
        buildDevDistribution({
          env,
          progress,
          repoRoot: root,
          layer: { prefix: join(root, "layer") } as never,
          bindingsBuildDir: join(root, "bindings"),
          stagedPackageDir: join(root, "pkg"),
          workDir: join(root, "work"),
          outDir: join(root, "out"),
          info: { ...info, ...bad },
          platformTag: "linux_x86_64",
          sourceDateEpoch: 0,
          generator: "test",
        }),
        what,
      );
      expect(env.calls).toEqual([]);
    }
    expect(existsSync(join(T, "victim"))).toBe(true);
    expect(outside()).toEqual(["victim"]);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe("site pages (render → disk)", () => {
  it("a release version ../../x in a page path is refused before the first page is written", () => {
    const m = manifestWith({ version: "../../escaped" });
    const pages = renderSite([{ manifest: m, notes: "" }], new Map());
    expect([...pages.keys()]).toContain("releases/../../escaped.html");
    escapeError(() => writePages(join(root, "site"), pages), /^site page 'releases\/\.\.\/\.\.\/escaped\.html': .* leads outside/);
    expect(existsSync(join(root, "site"))).toBe(false);
    expect(outside()).toEqual([]);
  });

  it("a project name with a '/' that stays inside is refused too; plain pages are written", () => {
    escapeError(() => writePages(join(root, "site"), new Map([["simple/a/../b/index.html", "x"]])), /'\.\.' is not a plain name/);
    writePages(join(root, "site"), renderSite([{ manifest: manifestWith({}), notes: "" }], new Map()));
    expect(readdirSync(join(root, "site")).sort()).toEqual([".nojekyll", "index.html", "releases", "releases.json", "simple"]);
  });
});
