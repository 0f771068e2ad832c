// One Python matrix (issue 27): `platforms --json`, `plan` and `build`'s default all come from
// pythonMatrix(date, LLVM, platform); at 2026-12-07 that is 3.11–3.15 plus the free-threaded builds
// the images carry, per-version on LLVM 22 and cp312-abi3 on LLVM 23. The free-threaded 3.14t/3.15t
// cannot be built on this host: their CI step lists are checked against the pinned images here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { BUILD_DEFAULTS } from "../../src/cli/build-commands.js";
import { buildSettingsOf } from "../support/build-settings.js";
import { runCli, runCliOk } from "../support/cli-inprocess.js";
import { plan } from "../../src/plan/release-planner.js";
import { calendarPythons, llvmFactsFromVersion, pythonMatrix } from "../../src/plan/python-support.js";
import { readImagePins } from "../../src/platforms/dry-run.js";
import { resolvePlatformPlan } from "../../src/platforms/platform-plan.js";
import { allPlatformVariants, platformById } from "../../src/platforms/index.js";
import { MANYLINUX_PYTHONS } from "../../src/platforms/linux.js";
import { ciJobs } from "../../src/platforms/matrix.js";
import { ReleaseConfig } from "../../src/schema/config.js";
import { ReleaseRequest } from "../../src/schema/request.js";

const REPO = join(import.meta.dirname, "..", "..");
const FIXTURE_22 = join(REPO, "test", "fixtures", "llvm-trees", "llvm-22.1.8");
const DAY = "2026-12-07";
const LLVM_22 = llvmFactsFromVersion("22.1.8");

describe("pythonMatrix(date, LLVM, platform)", () => {
  it("at 2026-12-07: 3.11–3.15 and 3.13t/3.14t/3.15t on every platform, 3.10 out (end of life 2026-10-31)", () => {
    for (const p of allPlatformVariants()) {
      const m = pythonMatrix({ date: DAY, llvm: "22.1.8", platform: p });
      expect(m.pythons, p.id).toEqual(["3.11", "3.12", "3.13", "3.13t", "3.14", "3.14t", "3.15", "3.15t"]);
      expect(m.support.dropped.find((d) => d.python === "3.10")?.reason).toBe("end of life since 2026-10-31 (CPython calendar)");
    }
  });

  it("LLVM 22: one wheel per version; LLVM 23: cp312-abi3 for 3.12+, per-version 3.11 and free-threaded", () => {
    const linux = platformById("linux-x86_64");
    const tags = (llvm: string): string[] => pythonMatrix({ date: DAY, llvm, platform: linux }).abi.builds.map((b) => `${b.pythonTag}-${b.abiTag}`);
    expect(tags("22.1.8")).toEqual(["cp311-cp311", "cp312-cp312", "cp313-cp313", "cp314-cp314", "cp315-cp315", "cp313-cp313t", "cp314-cp314t", "cp315-cp315t"]);
    expect(tags("23.1.1")).toEqual(["cp311-cp311", "cp312-abi3", "cp313-cp313t", "cp314-cp314t", "cp315-cp315t"]);
    const abi3 = pythonMatrix({ date: DAY, llvm: "23.1.1", platform: linux }).abi.builds.find((b) => b.abi === "abi3")!;
    expect(abi3.serves).toEqual(["3.12", "3.13", "3.14", "3.15"]);
    // LLVM 19: no FREE_THREADED in AddMLIRPython, so no 3.Nt, with the reason.
    const old = pythonMatrix({ date: DAY, llvm: "19.1.7", platform: linux });
    expect(old.pythons).toEqual(["3.11", "3.12", "3.13", "3.14", "3.15"]);
    expect(old.support.dropped.find((d) => d.python === "3.15t")?.reason).toBe("LLVM 19.1.7's bindings are not built FREE_THREADED");
  });

  it("refuses a version that is not X.Y.Z, naming it", () => {
    expect(() => llvmFactsFromVersion("main")).toThrow("LLVM version 'main': expected X.Y.Z");
  });
});

describe("platforms --json, plan and build's default agree", () => {
  it("every platform: the CI job's Pythons == the plan's matrix Pythons == calendarPythons; build's default == calendarPythons today", async () => {
    const r = await runCliOk(["platforms", "--json", "--date", DAY, "--llvm-tree", FIXTURE_22, "--mlir-cmake-dir", "/nonexistent"], { cwd: REPO });
    const jobs = JSON.parse(r.stdout) as Array<{ name: string; platform: string; policy?: string; pythons: string[] }>;
    expect(jobs).toHaveLength(7);
    const config = ReleaseConfig.parse({ platforms: ["linux-x86_64", "linux-aarch64", "macos-arm64", "macos-x86_64", "windows-x64"].map((id) => ({ id })) });
    const p = plan(config, ReleaseRequest.parse({ kind: "numbered", ref: "llvmorg-22.1.8" }), {
      commit: "c".repeat(40),
      commitDate: "2026-09-30T10:00:00Z",
      date: DAY,
      llvmVersion: "22.1.8",
      tag: "llvmorg-22.1.8",
      existingVersions: [],
      abi: LLVM_22,
    });
    const sorted = (xs: string[]): string[] => [...xs].sort();
    for (const j of jobs) {
      const planned = p.matrix.filter((m) => m.platform === j.platform).map((m) => m.python);
      const calendar = calendarPythons(j.platform as never, new Date(`${DAY}T12:00:00Z`));
      expect(sorted(j.pythons), j.name).toEqual(sorted(planned));
      expect(sorted(j.pythons), j.name).toEqual(sorted(calendar));
      expect(j.pythons, j.name).not.toContain("3.10");
      expect(j.pythons, j.name).toEqual(expect.arrayContaining(["3.14", "3.15", "3.14t", "3.15t"]));
    }
    // build without --python, a plan or a config list: the same function at today's date.
    const s = buildSettingsOf({ ...BUILD_DEFAULTS, out: "/tmp/unused-out", verify: false, lit: false, config: join(REPO, "release.config.json") });
    expect(s.pythons).toEqual(calendarPythons("linux-x86_64", new Date()));
  }, 60_000);
});

describe("platforms --date", () => {
  it("refuses a date that is not a calendar day with a one-line error naming it, exit status 2, nothing printed on stdout", async () => {
    const r = await runCli(["platforms", "--json", "--date", "2026-13-01"], { cwd: REPO });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toBe("error: --date '2026-13-01': expected YYYY-MM-DD");
  }, 60_000);

  it("the date moves the matrix: 2026-10-15 still has 3.10, 2025-06-01 has neither 3.14 nor 3.15", async () => {
    const jobs = async (date: string): Promise<string[]> => {
      const r = await runCliOk(["platforms", "--json", "--date", date, "--llvm-tree", FIXTURE_22, "--mlir-cmake-dir", "/nonexistent"], { cwd: REPO });
      return (JSON.parse(r.stdout) as Array<{ pythons: string[] }>)[0]!.pythons;
    };
    expect(await jobs("2026-10-15")).toEqual(["3.10", "3.11", "3.12", "3.13", "3.14", "3.15", "3.13t", "3.14t", "3.15t"]);
    expect(await jobs("2025-06-01")).toEqual(["3.10", "3.11", "3.12", "3.13", "3.13t"]);
  }, 60_000);
});

describe("the workflows provide the matrix's Pythons", () => {
  it("build.yml's host job (macOS, Windows) installs exactly the Pythons pythonMatrix gives those runners today", () => {
    const wf = parse(readFileSync(join(REPO, ".github", "workflows", "build.yml"), "utf8")) as { jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }> };
    const setup = wf.jobs["host"]!.steps.find((st) => st.uses?.startsWith("actions/setup-python@"))!;
    const listed = String(setup.with!["python-version"]).split(/\s+/).filter(Boolean).sort();
    for (const id of ["macos-arm64", "macos-x86_64", "windows-x64"] as const) {
      expect(listed, id).toEqual([...calendarPythons(id, new Date())].sort());
    }
    expect(listed).not.toContain("3.10");
  });
});

describe("3.14t and 3.15t in the CI matrix, against the images that carry them (not buildable on this host)", () => {
  it("every Linux job's image carries /opt/python/cp314-cp314t and cp315-cp315t; their steps build, repair and place cp31Nt wheels", () => {
    const jobs = ciJobs({ llvm: LLVM_22, date: DAY });
    const linuxJobs = jobs.filter((j) => j.platform.startsWith("linux-"));
    expect(linuxJobs.map((j) => j.image)).toEqual(["manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux2014_aarch64", "manylinux_2_28_aarch64"]);
    for (const v of ["3.14t", "3.15t"]) expect(MANYLINUX_PYTHONS).toContain(v);
    // Resolved as the CI job resolves it inside its image (no probing of this machine): the module's own facts.
    const plans = allPlatformVariants()
      .filter((p) => p.os === "linux")
      .map((p) =>
        resolvePlatformPlan(p, {
          pythons: calendarPythons(p.id, new Date(`${DAY}T12:00:00Z`)),
          llvm: LLVM_22,
          distribution: "mlir-python-bindings",
          version: "22.1.8",
          nanobind: "2.9.2",
          nanobindDomain: "mlir_release",
          repoRoot: "$GITHUB_WORKSPACE",
          sourceRoot: "<llvm-project>",
          mlirCmakeDir: "<layer>/lib/cmake/mlir",
          workDir: "/tmp/w",
          toolsBin: "/opt/mlir-release-tools/bin",
          env: {},
          imagePins: readImagePins(REPO),
        }),
      );
    const linux = plans;
    expect(linux.map((pl) => pl.runner.image)).toEqual(linuxJobs.map((j) => j.image));
    // Each image is pinned by digest in containers/images.lock.json (a pin, not a moving tag).
    for (const pl of linux) expect(pl.runner.imagePin, pl.runner.image).toMatch(/^pypa\/manylinux[\w.]+@sha256:[0-9a-f]{64}$/);
    for (const pl of linux) {
      const arch = pl.platform === "linux-x86_64" ? "x86_64" : "aarch64";
      for (const [v, nodot] of [["3.14t", "314"], ["3.15t", "315"]] as const) {
        const b = pl.builds.find((x) => x.python === v);
        expect(b, `${pl.platform} ${pl.runner.image} ${v}`).toBeDefined();
        // The image's interpreter, its own suffix, its own wheel tag.
        expect(b!.interpreter).toBe(`/opt/python/cp${nodot}-cp${nodot}t/bin/python`);
        expect(b!.extensionSuffix).toBe(`.cpython-${nodot}t-${arch}-linux-gnu.so`);
        expect(b!.tag).toMatch(new RegExp(`^cp${nodot}-cp${nodot}t-manylinux_2_\\d+_${arch}`));
        expect(b!.abi).toBe("freethreaded");
        const ids = pl.steps.filter((s) => s.python === v).map((s) => s.id.split("/")[1]);
        expect(ids, `${pl.platform} ${v}`).toEqual(["venv", "venv-install", "configure", "build", "install", "strip", "zip", "inspect", "repair", "place"]);
        const venv = pl.steps.find((s) => s.id === `py${v}/venv`)!;
        expect(venv.kind === "command" && venv.argv[0]).toBe(`/opt/python/cp${nodot}-cp${nodot}t/bin/python`);
      }
    }
  });
});
