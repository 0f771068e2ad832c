// The Dagger module without an engine: every function is called through the real SDK, whose
// transport sends its queries to a recorder on 127.0.0.1; the tests assert the exact selections
// (image digest, mounts, cache volumes and keys, exec argv, exported paths) per function and platform.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { dag } from "@dagger.io/dagger";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildSettingsOf } from "../support/build-settings.js";
import { checkCliArgv } from "../../src/cli/argv-check.js";
import { createProgram } from "../../src/cli/program.js";
import { buildArgv, defaultOptionsHash, NO_COMPILER_CACHE, PATHS } from "../../src/dagger/pipeline.js";
import { compilerCacheSettings } from "../../src/options/environment.js";
import { dirLayerStore } from "../../src/layer/artifact.js";
import { readThroughStore } from "../../src/layer/github-store.js";
import { layerStoreTarget } from "../../src/options/environment.js";
import { MlirRelease } from "../../src/index.js";
import { loadReleaseConfig } from "../../src/options/config.js";
import { plan as makePlan } from "../../src/plan/release-planner.js";
import { platformById } from "../../src/platforms/index.js";
import { settingsFromManifest } from "../../src/rebuild/rebuild.js";
import { InvalidInputError } from "../../src/errors.js";
import { CompilerCacheSettings } from "../../src/schema/config.js";
import { type ReleaseManifest } from "../../src/schema/manifest.js";
import { type ReleasePlan } from "../../src/schema/release-plan.js";
import { ReleaseRequest } from "../../src/schema/request.js";
import { hexOf, resolvedLock } from "../support/dagger-lock.js";
import { type Chain, idFor, type Recorder, startRecorder } from "../support/dagger-recorder.js";

const lock = resolvedLock();
const SRC = "/work/mlir-release";
const srcId = idFor(["host", `directory(path: "${SRC}")`]);
const q = (s: string) => JSON.stringify(s);
/** A list argument as graphql prints it. */
const list = (xs: string[]) => `[${xs.map(q).join(", ")}]`;
const digest = (repo: string) => `sha256:${hexOf(repo)}`;
// The lock names no hosts: the registry and the Node download base are inputs, set here to placeholders.
const REGISTRY = "127.0.0.1:5000";
const NODE_DIST = "http://127.0.0.1:8080/node";
const HOST_ENV = { MLIR_RELEASE_IMAGE_REGISTRY: REGISTRY, MLIR_RELEASE_NODE_DIST_URL: `${NODE_DIST}/` };
const nodeUrl = (key: string) => `${NODE_DIST}/v${lock.node.builds[key]!.version ?? lock.node.version}/${lock.node.builds[key]!.file}`;

const PLAN: ReleasePlan = {
  schemaVersion: 1,
  kind: "snapshot",
  version: "23.0.0.dev20261125",
  distribution: "mlir-python-bindings",
  devDistribution: "mlir-python-bindings-dev",
  llvm: { commit: "a".repeat(40), version: "23.0.0", repository: "https://example.org/llvm-project.git", commitDate: "2026-11-24T23:00:00Z" },
  source: { kind: "git", repository: "https://example.org/llvm-project.git", commit: "a".repeat(40) },
  sourceDateEpoch: 1795561200,
  matrix: [{ platform: "linux-x86_64", python: "3.12", abi: "cpython", tag: { python: "cp312", abi: "cp312", platform: "manylinux2014_x86_64" } }],
  abiChoice: { variant: "cpython", reason: "LLVM 23 main: stable ABI not chosen in this fixture" },
  images: { "linux-x86_64": `pypa/manylinux2014_x86_64@${digest("pypa/manylinux2014_x86_64")}` },
  tools: { nanobind: "2.9.2" },
  layer: { cmakeOptions: { CMAKE_BUILD_TYPE: "Release" }, optionsHash: "b".repeat(64) },
  nanobindDomain: "mlir_release",
};

/** The provisioned image and the repository in it: the common head of every container chain. */
function head(platform: "linux/amd64" | "linux/arm64", imageRepo: string, nodeUrl: string): Chain {
  const nodeSha = hexOf(nodeUrl.split("/").pop()!);
  return [
    `container(platform: ${q(platform)})`,
    `from(address: ${q(`${REGISTRY}/${imageRepo}@${digest(imageRepo)}`)})`,
    `withDirectory(path: "/opt/mlir-release-provision", source: ${q(idFor(["host", `directory(path: "${SRC}")`, 'directory(path: "containers/provision")']))})`,
    `withMountedFile(path: "/tmp/node.tar.xz", source: ${q(idFor([`http(url: ${q(nodeUrl)}, checksum: ${q(`sha256:${nodeSha}`)})`]))})`,
    `withExec(args: ["bash", "/opt/mlir-release-provision/node.sh", "/tmp/node.tar.xz", ${q(nodeSha)}, "/opt/node"])`,
    `withEnvVariable(name: "NANOBIND_VERSION", value: "2.9.2")`,
    `withEnvVariable(name: "TOOLS_DIR", value: "/opt/mlir-release-tools")`,
    `withExec(args: ["bash", "/opt/mlir-release-provision/manylinux.sh"])`,
    `withEnvVariable(name: "PATH", value: "/opt/node/bin:/opt/mlir-release-tools/bin:$PATH", expand: true)`,
    `withEnvVariable(name: "MLIR_RELEASE_TOOLS", value: "/opt/mlir-release-tools")`,
    `withMountedCache(path: "${PATHS.npm}", cache: ${q(idFor(['cacheVolume(key: "mlir-release-npm")']))})`,
    `withDirectory(path: "/src", source: ${q(srcId)}, exclude: [".git", ".cache", "dist", "node_modules"])`,
    `withWorkdir(path: "/src")`,
    `withExec(args: ["npm", "ci", "--no-audit", "--no-fund"])`,
  ];
}

const vol = (key: string) => q(idFor([`cacheVolume(key: ${q(key)})`]));
function caches(platform: string, policy: string, hash: string, seed?: string): Chain {
  return [
    `withMountedCache(path: "/cache/mlir-release", cache: ${vol(`mlir-release-cache-${platform}-${policy}`)})`,
    `withMountedCache(path: "/cache/mlir-release/layers", cache: ${vol(`mlir-release-llvm-layer-${platform}-${policy}-${hash.slice(0, 16)}`)}, sharing: LOCKED)`,
    `withMountedCache(path: "/cache/sccache", cache: ${vol(`mlir-release-sccache-${platform}-${policy}`)}, sharing: LOCKED${seed ? `, source: ${q(seed)}` : ""})`,
    `withEnvVariable(name: "MLIR_RELEASE_COMPILER_CACHE", value: ${q('{"dir":"/cache/sccache"}')})`,
  ];
}

const X86_2014 = ["linux/amd64", "pypa/manylinux2014_x86_64", nodeUrl("node-x86_64-glibc-2.17")] as const;
const X86_228 = ["linux/amd64", "pypa/manylinux_2_28_x86_64", nodeUrl("node-x86_64-glibc-2.28")] as const;
const ARM_228 = ["linux/arm64", "pypa/manylinux_2_28_aarch64", nodeUrl("node-aarch64-glibc-2.28")] as const;

let rec: Recorder;
let noRelease = false;
/** A plan the recorder hands out instead of PLAN (one test). */
let noPlanOverride: ReleasePlan | undefined;
const REPO_ROOT_FOR_TEST = join(import.meta.dirname, "../..");
const last = (): Chain => rec.requests[rec.requests.length - 1]!;
const src = () => dag.host().directory(SRC);

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "dagger-lock-"));
  writeFileSync(join(dir, "images.lock.json"), JSON.stringify(lock));
  process.env["MLIR_RELEASE_IMAGES_LOCK"] = join(dir, "images.lock.json");
  Object.assign(process.env, HOST_ENV);
  rec = await startRecorder({
    contents: (chain) => {
      if (chain.some((s) => s.includes('"plan"') || s.includes("plan.json"))) {
        return JSON.stringify(noRelease ? { release: false, reason: "no MLIR-relevant change since the last snapshot", commit: "d".repeat(40) } : (noPlanOverride ?? PLAN));
      }
      if (chain[0]?.startsWith("host") && chain.some((s) => s.includes("manifest.json"))) return JSON.stringify({ schemaVersion: 1, plan: PLAN, artifacts: [], provenance: { builder: "ci", pipelineVersion: "mlir-release 0.1.0" } });
      return "";
    },
  });
});
afterAll(async () => {
  delete process.env["MLIR_RELEASE_IMAGES_LOCK"];
  for (const k of Object.keys(HOST_ENV)) delete process.env[k];
  await rec.close();
});

/** Date frozen at `at` for the enclosing describe: plan and site stamp their exec with the time asked. */
function freezeDateAt(at: Date): void {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(at);
  });
  afterAll(() => {
    vi.useRealTimers();
  });
}

describe("one manylinux policy default", () => {
  const policyArg = (chain: Chain): string | undefined => {
    const exec = chain.find((c) => c.includes('"build", "--platform"'))!;
    return /"--policy", "([^"]+)"/.exec(exec)?.[1];
  };
  const repoPlan = makePlan(loadReleaseConfig(REPO_ROOT_FOR_TEST), ReleaseRequest.parse({ kind: "snapshot" }), {
    commit: "a".repeat(40),
    commitDate: "2026-11-24T23:00:00Z",
    llvmVersion: "23.0.0",
    existingVersions: [],
    cutoff: "2026-11-25T00:00:00Z",
  });
  const manifest: ReleaseManifest = { schemaVersion: 1, plan: repoPlan, artifacts: [], provenance: { builder: "test", pipelineVersion: "test", layer: {} } } as unknown as ReleaseManifest;
  const dirs = { repoRoot: "/r", cacheDir: "/r/.cache", workDir: "/w", outDir: "/o", toolsDir: "/t" };

  for (const [platform, expected] of [["linux-x86_64", "manylinux2014"], ["linux-aarch64", "manylinux_2_28"]] as const) {
    it(`${platform}: the Dagger module, the plan, rebuild, the CLI build and the platform module all say ${expected}`, async () => {
      await rec.run(async () => (await new MlirRelease().build(src(), platform)).export("/export/dist"));
      const module = policyArg(last());
      const planned = repoPlan.policies?.[platform];
      const rebuilt = settingsFromManifest(manifest, platform, dirs).platform.policy;
      const cli = buildSettingsOf({ platform, source: "debian:22.1.8", layer: "source", out: join(tmpdir(), "policy-out"), verify: false, lit: false }).platform.policy;
      const platformModule = platformById(platform).policy;
      expect({ module, planned, rebuilt, cli, platformModule }).toEqual({ module: expected, planned: expected, rebuilt: expected, cli: expected, platformModule: expected });
      // The plan's matrix tags are the policy's too.
      for (const m of repoPlan.matrix.filter((x) => x.platform === platform)) expect(m.tag.platform).toBe(platformById(platform, { policy: expected }).wheelPlatformTag());
    });
  }

  it("a plan's recorded policy wins over the default in the module and in the CLI", async () => {
    const recorded: ReleasePlan = { ...PLAN, policies: { "linux-x86_64": "manylinux_2_28" } };
    const dir = mkdtempSync(join(tmpdir(), "policy-plan-"));
    writeFileSync(join(dir, "plan.json"), JSON.stringify(recorded));
    noPlanOverride = recorded;
    try {
      await rec.run(async () => (await new MlirRelease().build(src(), "linux-x86_64", undefined, "debian:22.1.8", "source", undefined, dag.host().file("/ci/plan/plan.json"))).export("/export/dist"));
    } finally {
      noPlanOverride = undefined;
    }
    expect(policyArg(last())).toBe("manylinux_2_28");
    const cli = buildSettingsOf({ platform: "linux-x86_64", source: "debian:22.1.8", layer: "source", out: join(tmpdir(), "policy-out"), plan: join(dir, "plan.json"), verify: false, lit: false });
    expect(cli.platform.policy).toBe("manylinux_2_28");
  });
});

describe("build", () => {
  const hash = defaultOptionsHash("debian:22.1.8");
  const buildExec = (platform: string, policy: string, extra: string[] = []) =>
    `withExec(args: ${list(["node", "bin/mlir-release.mjs", "build", "--platform", platform, "--policy", policy, "--source", "debian:22.1.8", "--layer", "source", "--out", "/out", "--work", "/work", "--cache", "/cache/mlir-release", ...extra])})`;

  it("linux-x86_64 in manylinux2014: locked image, provisioning, caches keyed by the options hash, the CLI, /out", async () => {
    await rec.run(async () => (await new MlirRelease().build(src(), "linux-x86_64")).export("/tmp/dist"));
    expect(last()).toEqual([
      ...head(...X86_2014),
      ...caches("linux-x86_64", "manylinux2014", hash),
      buildExec("linux-x86_64", "manylinux2014"),
      'directory(path: "/out")',
      'export(path: "/tmp/dist")',
    ]);
  });

  it("linux-x86_64 in manylinux_2_28 with Pythons, jobs and a ccache seed", async () => {
    const seed = dag.host().directory("/ci/ccache");
    await rec.run(async () => (await new MlirRelease().build(src(), "linux-x86_64", "manylinux_2_28", "debian:22.1.8", "source", "3.12,3.13t", undefined, seed, 2)).export("/tmp/dist"));
    expect(last()).toEqual([
      ...head(...X86_228),
      ...caches("linux-x86_64", "manylinux_2_28", hash, idFor(["host", 'directory(path: "/ci/ccache")'])),
      buildExec("linux-x86_64", "manylinux_2_28", ["--python", "3.12,3.13t", "--jobs", "2"]),
      'directory(path: "/out")',
      'export(path: "/tmp/dist")',
    ]);
  });

  it("linux-aarch64 always builds in manylinux_2_28 on linux/arm64 (no Node for glibc 2.17 aarch64)", async () => {
    await rec.run(async () => (await new MlirRelease().build(src(), "linux-aarch64", "manylinux2014")).export("/tmp/dist"));
    expect(last()).toEqual([
      ...head(...ARM_228),
      ...caches("linux-aarch64", "manylinux_2_28", hash),
      buildExec("linux-aarch64", "manylinux_2_28"),
      'directory(path: "/out")',
      'export(path: "/tmp/dist")',
    ]);
  });

  it("the layer volume key follows the options hash: another source, another volume", async () => {
    const other = defaultOptionsHash(`git:https://example.org/llvm-project.git@${"c".repeat(40)}`);
    expect(other).not.toBe(hash);
    await rec.run(async () => (await new MlirRelease().build(src(), "linux-x86_64", "manylinux2014", `git:https://example.org/llvm-project.git@${"c".repeat(40)}`)).export("/tmp/dist"));
    expect(last().join("\n")).toContain(`mlir-release-llvm-layer-linux-x86_64-manylinux2014-${other.slice(0, 16)}`);
  });

  it("build --plan: the plan file is mounted, its options hash keys the layer volume, --source gives way to --plan", async () => {
    const plan = dag.host().file("/ci/plan/plan.json");
    await rec.run(async () => (await new MlirRelease().build(src(), "linux-x86_64", "manylinux2014", "debian:22.1.8", "source", undefined, plan)).export("/tmp/dist"));
    expect(rec.requests.some((c) => c.join(".") === 'host.file(path: "/ci/plan/plan.json").contents')).toBe(true);
    expect(last()).toEqual([
      ...head(...X86_2014),
      ...caches("linux-x86_64", "manylinux2014", PLAN.layer.optionsHash),
      `withMountedFile(path: "/in/plan.json", source: ${q(idFor(["host", 'file(path: "/ci/plan/plan.json")']))})`,
      `withExec(args: ${list(["node", "bin/mlir-release.mjs", "build", "--platform", "linux-x86_64", "--policy", "manylinux2014", "--plan", "/in/plan.json", "--layer", "source", "--out", "/out", "--work", "/work", "--cache", "/cache/mlir-release"])})`,
      'directory(path: "/out")',
      'export(path: "/tmp/dist")',
    ]);
  });

  it("--layer-store github:<owner>/<name>: the CLI's store variable and the token as a secret, set before the build's exec", async () => {
    const token = dag.setSecret("gh", "not-a-real-token");
    const plan = dag.host().file("/ci/plan/plan.json");
    await rec.run(async () =>
      (await new MlirRelease().build(src(), "linux-x86_64", undefined, "debian:22.1.8", "source", undefined, plan, undefined, undefined, "github:llvm-wheels/mlir-python", token)).export("dist/linux-x86_64"),
    );
    const chain = last();
    expect(chain.slice(-5)).toEqual([
      `withEnvVariable(name: "MLIR_RELEASE_LAYER_STORE", value: "github:llvm-wheels/mlir-python")`,
      `withSecretVariable(name: "GITHUB_TOKEN", secret: ${q(idFor(['setSecret(name: "gh", plaintext: "not-a-real-token")']))})`,
      `withExec(args: ${list(["node", "bin/mlir-release.mjs", "build", "--platform", "linux-x86_64", "--policy", "manylinux2014", "--plan", "/in/plan.json", "--layer", "source", "--out", "/out", "--work", "/work", "--cache", "/cache/mlir-release"])})`,
      'directory(path: "/out")',
      'export(path: "dist/linux-x86_64")',
    ]);
    expect(chain.slice(0, -5)).toEqual([
      ...head(...X86_2014),
      ...caches("linux-x86_64", "manylinux2014", PLAN.layer.optionsHash),
      `withMountedFile(path: "/in/plan.json", source: ${q(idFor(["host", 'file(path: "/ci/plan/plan.json")']))})`,
    ]);
    // The token is never a plain variable or argument.
    expect(chain.filter((sel) => !sel.startsWith("withSecretVariable")).join("\n")).not.toContain("not-a-real-token");
    // What the container gets is what the CLI's build reads: its argv passes the CLI's option table, its
    // store variable parses (the CLI's own parser) to that repository's `layers` release, and the store's
    // local side is the CLI's <--cache>/layer-artifacts, the folder layerArtifacts exports.
    const argv = JSON.parse(/^withExec\(args: (\[.*\])\)$/.exec(chain[chain.length - 3]!)![1]!) as string[];
    expect(checkCliArgv(createProgram(), argv)).toEqual([]);
    const cache = argv[argv.indexOf("--cache") + 1]!;
    const [, name, value] = /^withEnvVariable\(name: "([^"]+)", value: "([^"]+)"\)$/.exec(chain[chain.length - 5]!)!;
    const local = dirLayerStore(join(cache, "layer-artifacts"));
    expect(readThroughStore(local, layerStoreTarget({ [name!]: value }, undefined)).root).toBe(`${PATHS.layerArtifacts} (then the release layers of llvm-wheels/mlir-python)`);
    expect(argv).toEqual(buildArgv({ platform: "linux-x86_64", policy: "manylinux2014", layer: "source", nanobind: "2.9.2", optionsHash: PLAN.layer.optionsHash, plan: plan }));
  });

  it("--layer-store local sets the variable and mounts no token; without --layer-store neither is set", async () => {
    await rec.run(async () =>
      (await new MlirRelease().build(src(), "linux-x86_64", undefined, "debian:22.1.8", "source", undefined, undefined, undefined, undefined, "local", dag.setSecret("gh", "x"))).export("dist/linux-x86_64"),
    );
    expect(last().filter((sel) => /LAYER_STORE|Secret/.test(sel))).toEqual([`withEnvVariable(name: "MLIR_RELEASE_LAYER_STORE", value: "local")`]);
    await rec.run(async () => (await new MlirRelease().build(src(), "linux-x86_64")).export("dist/linux-x86_64"));
    expect(last().filter((sel) => /LAYER_STORE|Secret/.test(sel))).toEqual([]);
  });

  it("a bad --layer-store is one line naming the flag, before any query", async () => {
    const n = rec.requests.length;
    const build = (spec: string) => new MlirRelease().build(src(), "linux-x86_64", undefined, "debian:22.1.8", "source", undefined, undefined, undefined, undefined, spec);
    await expect(build("s3://bucket")).rejects.toThrow(/^--layer-store 's3:\/\/bucket': .*local \| github \| github:<owner>\/<name>/);
    await expect(build("github")).rejects.toThrow(/^--layer-store 'github': the module does not see \$GITHUB_REPOSITORY; pass github:<owner>\/<name>/);
    await expect(build("github:-owner/mlir")).rejects.toThrow(/^--layer-store 'github:-owner\/mlir': owner\/name, each a GitHub name/);
    for (const bad of ["github:owner/name/extra", "github:", "https://example.org/o/r"]) await expect(build(bad), bad).rejects.toThrow(InvalidInputError);
    await expect(build("s3://bucket")).rejects.not.toThrow(/\n/);
    expect(rec.requests.length).toBe(n);
  });

  it("macOS and Windows are refused with the host CLI command and the release flag to use instead; bad input names the flag", async () => {
    for (const [p, flag] of [["macos-arm64", "macos-arm"], ["macos-x86_64", "macos-intel"], ["windows-x64", "windows"]]) {
      await expect(new MlirRelease().build(src(), p)).rejects.toThrow(new RegExp(`host CLI.*--platform ${p}.*--${flag}\\)`, "s"));
    }
    await expect(new MlirRelease().build(src(), "linux-riscv64")).rejects.toThrow(/--platform/);
    await expect(new MlirRelease().build(src(), "linux-x86_64", "manylinux1")).rejects.toThrow(InvalidInputError);
  });
});

describe("site", () => {
  const at = new Date("2026-11-25T04:40:00Z");
  const syncExec = (extra: string[] = []) =>
    `withExec(args: ${list(["node", "bin/mlir-release.mjs", "site-sync", "--index-root", "/index", "--github-repository", "llvm-wheels/mlir-python", "--out", "/site", ...extra])})`;
  const syncedAt = (d: Date) => `withEnvVariable(name: "MLIR_RELEASE_SITE_SYNCED_AT", value: ${q(d.toISOString())})`;
  freezeDateAt(at);

  it("rebuilds the index from the repository's releases in the x86_64 image, the token as a secret, and returns /site", async () => {
    const token = dag.setSecret("gh", "not-a-real-token");
    await rec.run(() => new MlirRelease().site(src(), "llvm-wheels/mlir-python", token, "https://example.org/mlir-wheels/", true).export("/tmp/site"));
    expect(last()).toEqual([
      ...head(...X86_2014),
      syncedAt(at),
      `withSecretVariable(name: "GITHUB_TOKEN", secret: ${q(idFor(['setSecret(name: "gh", plaintext: "not-a-real-token")']))})`,
      syncExec(["--base-url", "https://example.org/mlir-wheels/", "--prune"]),
      'directory(path: "/site")',
      'export(path: "/tmp/site")',
    ]);
    expect(last().filter((sel) => !sel.startsWith("withSecretVariable")).join("\n")).not.toContain("not-a-real-token");
  });

  it("without a token, base URL or prune: no secret, no --base-url, no --prune (the CLI's defaults apply)", async () => {
    await rec.run(() => new MlirRelease().site(src(), "llvm-wheels/mlir-python").export("/tmp/site"));
    expect(last()).toEqual([...head(...X86_2014), syncedAt(at), syncExec(), 'directory(path: "/site")', 'export(path: "/tmp/site")']);
  });

  it("every call is a new sync: the exec's inputs differ by the time asked, so the engine cannot hand back an earlier site", async () => {
    const later = new Date(at.getTime() + 24 * 3600_000);
    vi.setSystemTime(later);
    try {
      await rec.run(() => new MlirRelease().site(src(), "llvm-wheels/mlir-python").export("/tmp/site"));
      expect(last()).toContain(syncedAt(later));
      expect(last()).not.toContain(syncedAt(at));
    } finally {
      vi.setSystemTime(at);
    }
  });

  it("a malformed --github-repository stops before any query", () => {
    const n = rec.requests.length;
    for (const bad of ["mlir-python", "llvm-wheels/mlir-python/extra", "https://example.org/llvm-wheels/mlir-python", ""]) {
      expect(() => new MlirRelease().site(src(), bad), bad).toThrow(InvalidInputError);
    }
    expect(() => new MlirRelease().site(src(), "mlir python")).toThrow(/--github-repository 'mlir python': expected owner\/name/);
    expect(rec.requests.length).toBe(n);
  });
});

describe("plan, publish, rebuild, release", () => {
  const at = new Date("2026-11-25T04:30:00Z");
  const plannedAt = (d: Date) => `withEnvVariable(name: "MLIR_RELEASE_PLANNED_AT", value: ${q(d.toISOString())})`;
  const planChain = (extra: string[], secret: string[] = []) => [
    ...head(...X86_2014),
    plannedAt(at),
    ...secret,
    `withExec(args: ${list(["node", "bin/mlir-release.mjs", "plan", "--kind", ...extra])}, redirectStdout: "/in/plan.json")`,
    'file(path: "/in/plan.json")',
  ];
  freezeDateAt(at);

  it("plan --github-repository reads what exists from that repository's releases (token as a secret); every call plans anew", async () => {
    const token = dag.setSecret("gh", "not-a-real-token");
    await rec.run(() => new MlirRelease().plan(src(), "snapshot", undefined, undefined, "llvm-wheels/mlir-python", token).contents());
    const secret = `withSecretVariable(name: "GITHUB_TOKEN", secret: ${q(idFor(['setSecret(name: "gh", plaintext: "not-a-real-token")']))})`;
    expect(last()).toEqual([...planChain(["snapshot", "--github-repository", "llvm-wheels/mlir-python"], [secret]), "contents"]);
    expect(last().filter((sel) => !sel.startsWith("withSecretVariable")).join("\n")).not.toContain("not-a-real-token");
    // A day later the same call is a different exec: the engine cannot return yesterday's plan.
    vi.setSystemTime(new Date(at.getTime() + 24 * 3600_000));
    try {
      await rec.run(() => new MlirRelease().plan(src(), "snapshot").contents());
      expect(last()).not.toContain(plannedAt(at));
      expect(last()).toContain(plannedAt(new Date(at.getTime() + 24 * 3600_000)));
    } finally {
      vi.setSystemTime(at);
    }
    expect(() => new MlirRelease().plan(src(), "snapshot", undefined, undefined, "not a repo")).toThrow(InvalidInputError);
  });

  it("plan runs the plan stage in the x86_64 image and returns its file", async () => {
    await rec.run(() => new MlirRelease().plan(src(), "numbered", "llvmorg-22.1.8").contents());
    expect(last()).toEqual([...planChain(["numbered", "--ref", "llvmorg-22.1.8"]), "contents"]);
    expect(() => new MlirRelease().plan(src(), "numbered")).toThrow(/--ref llvmorg/);
    expect(() => new MlirRelease().plan(src(), "nightly")).toThrow(/--kind 'nightly'/);
  });

  it("publish stages the dist (one folder per platform) and publishes the stage with the token as a secret", async () => {
    const dist = dag.host().directory("/tmp/dist");
    const token = dag.setSecret("gh", "not-a-real-token");
    await rec.run(() => new MlirRelease().publish(src(), dist, false, token));
    const secretId = idFor(['setSecret(name: "gh", plaintext: "not-a-real-token")']);
    expect(last()).toEqual([
      ...head(...X86_2014),
      `withDirectory(path: "/dist", source: ${q(idFor(["host", 'directory(path: "/tmp/dist")']))})`,
      'withExec(args: ["bash", "containers/stage-dist.sh", "/dist", "/artifacts", "/stage"])',
      `withSecretVariable(name: "GITHUB_TOKEN", secret: ${q(secretId)})`,
      'withExec(args: ["node", "bin/mlir-release.mjs", "publish", "--stage", "/stage", "--targets", "github,index"])',
      "stdout",
    ]);
    // The token reaches the container only as a secret (the recorder's readable ids show the
    // secret's own selection; an engine's ids are opaque): no env variable or argv carries it.
    expect(last().filter((sel) => !sel.startsWith("withSecretVariable")).join("\n")).not.toContain("not-a-real-token");
  });

  it("publish --github-repository names the releases' repository to the CLI (--github-repository); a malformed one stops before any query", async () => {
    const dist = dag.host().directory("/tmp/dist");
    await rec.run(() => new MlirRelease().publish(src(), dist, false, dag.setSecret("gh", "x"), "github", "llvm-wheels/mlir-python"));
    expect(last().slice(-2)).toEqual([
      'withExec(args: ["node", "bin/mlir-release.mjs", "publish", "--stage", "/stage", "--targets", "github", "--github-repository", "llvm-wheels/mlir-python"])',
      "stdout",
    ]);
    const n = rec.requests.length;
    await expect(new MlirRelease().publish(src(), dist, false, undefined, "github", "https://example.org/llvm-wheels/mlir-python")).rejects.toThrow(
      /--github-repository 'https:\/\/example\.org\/llvm-wheels\/mlir-python': expected owner\/name/,
    );
    expect(rec.requests.length).toBe(n);
  });

  it("publish --dry-run stages and stops: no token is mounted, nothing is sent", async () => {
    const dist = dag.host().directory("/tmp/dist");
    await rec.run(() => new MlirRelease().publish(src(), dist, true, dag.setSecret("gh", "x"), "github"));
    expect(last()).toEqual([
      ...head(...X86_2014),
      `withDirectory(path: "/dist", source: ${q(idFor(["host", 'directory(path: "/tmp/dist")']))})`,
      'withExec(args: ["bash", "containers/stage-dist.sh", "/dist", "/artifacts", "/stage"])',
      "stdout",
    ]);
  });

  it("compilerCache copies the platform's sccache volume out as a Directory (what CI saves), in the locked image, no token", async () => {
    await rec.run(async () => (await new MlirRelease().compilerCache(src(), "linux-x86_64", "manylinux_2_28")).export("/tmp/sccache"));
    expect(last()).toEqual([
      `container(platform: "linux/amd64")`,
      `from(address: ${q(`${REGISTRY}/pypa/manylinux_2_28_x86_64@${digest("pypa/manylinux_2_28_x86_64")}`)})`,
      `withMountedCache(path: "/cache/sccache", cache: ${vol("mlir-release-sccache-linux-x86_64-manylinux_2_28")}, sharing: LOCKED)`,
      'withExec(args: ["cp", "-a", "--", "/cache/sccache/.", "/export"])',
      'directory(path: "/export")',
      'export(path: "/tmp/sccache")',
    ]);
  });

  it("layerArtifacts copies the complete archive+record pairs of the build's local layer store out of its cache volume, no token", async () => {
    await rec.run(async () => (await new MlirRelease().layerArtifacts(src(), "linux-aarch64")).export(".cache/layer-artifacts"));
    const chain = last();
    expect(chain).toEqual([
      `container(platform: "linux/arm64")`,
      `from(address: ${q(`${REGISTRY}/pypa/manylinux_2_28_aarch64@${digest("pypa/manylinux_2_28_aarch64")}`)})`,
      `withMountedCache(path: "/cache/mlir-release", cache: ${vol("mlir-release-cache-linux-aarch64-manylinux_2_28")})`,
      expect.stringMatching(/^withExec\(args: \["sh", "-c", ".*", "sh", "\/cache\/mlir-release\/layer-artifacts", "\/export"\]\)$/),
      'directory(path: "/export")',
      'export(path: ".cache/layer-artifacts")',
    ]);
    expect(chain.join("\n")).not.toMatch(/Secret|GITHUB_TOKEN|llvm-layer/);
    // The copy itself, run here with sh on a store as a build leaves it: complete pairs out, nothing else.
    const argv = JSON.parse(/^withExec\(args: (\[.*\])\)$/.exec(chain[3]!)![1]!) as string[];
    const store = mkdtempSync(join(tmpdir(), "layer-artifacts-"));
    const out = join(store, "..", `${basename(store)}-export`);
    const pair = (k: string) => [`mlir-release-layer-${k}.tar.zst`, `mlir-release-layer-${k}.tar.zst.json`];
    for (const f of [...pair("linux-aarch64-0123456789abcdef"), ...pair("linux-aarch64-fedcba9876543210")]) writeFileSync(join(store, f), f);
    // A half-written archive (no record yet), a record whose archive is gone, a download in flight, a record being replaced, another file.
    for (const f of ["mlir-release-layer-linux-aarch64-1111111111111111.tar.zst", "mlir-release-layer-linux-aarch64-3333333333333333.tar.zst.json", "mlir-release-layer-linux-aarch64-2222222222222222.tar.zst.download", "mlir-release-layer-linux-aarch64-0123456789abcdef.tar.zst.json.tmp", "notes.txt"]) writeFileSync(join(store, f), "x");
    try {
      execFileSync(argv[0]!, [...argv.slice(1, -2), store, out]);
      expect(readdirSync(out).sort()).toEqual([...pair("linux-aarch64-0123456789abcdef"), ...pair("linux-aarch64-fedcba9876543210")].sort());
      expect(readFileSync(join(out, pair("linux-aarch64-fedcba9876543210")[0]!), "utf8")).toBe(pair("linux-aarch64-fedcba9876543210")[0]);
      // An empty or missing store exports an empty directory (the upload step then finds nothing).
      rmSync(out, { recursive: true });
      execFileSync(argv[0]!, [...argv.slice(1, -2), join(store, "missing"), out]);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(store, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("layerArtifacts and compilerCache read the very volumes build mounted: same policy rule (--policy, else the plan's, else the config's)", async () => {
    const mounts = (chain: Chain) => chain.filter((sel) => /^withMountedCache\(path: "\/cache\/(mlir-release"|sccache")/.test(sel)).map((sel) => sel.replace(/, source: .*\)$/, ")"));
    const planned: ReleasePlan = { ...PLAN, policies: { "linux-x86_64": "manylinux_2_28" } };
    for (const [what, plan, policy] of [["defaults", undefined, undefined], ["--policy", undefined, "manylinux_2_28"], ["the plan's policy", planned, undefined]] as const) {
      noPlanOverride = plan;
      const file = plan ? dag.host().file("/ci/plan/plan.json") : undefined;
      try {
        await rec.run(async () => (await new MlirRelease().build(src(), "linux-x86_64", policy, "debian:22.1.8", "source", undefined, file)).export("dist/linux-x86_64"));
        const built = mounts(last());
        await rec.run(async () => (await new MlirRelease().layerArtifacts(src(), "linux-x86_64", policy, file)).export(".cache/layer-artifacts"));
        const exported = mounts(last());
        await rec.run(async () => (await new MlirRelease().compilerCache(src(), "linux-x86_64", policy, file)).export(".cache/sccache"));
        const sccache = mounts(last());
        expect(built, what).toHaveLength(2);
        expect(exported, what).toEqual([built[0]]);
        expect(sccache, what).toEqual([built[1]]);
        expect(built[0], what).toContain(plan || policy ? "manylinux_2_28" : "manylinux2014");
      } finally {
        noPlanOverride = undefined;
      }
    }
  });

  const rebuildTail = [
    `withMountedFile(path: "/in/manifest.json", source: ${q(idFor(["host", 'file(path: "/tmp/manifest.json")']))})`,
    'withExec(args: ["node", "bin/mlir-release.mjs", "rebuild", "/in/manifest.json", "--out", "/out", "--work", "/work", "--cache", "/cache/mlir-release"])',
    'directory(path: "/out")',
    'export(path: "/tmp/rebuilt")',
  ];
  const rebuiltAt = (d: Date) => `withEnvVariable(name: "MLIR_RELEASE_REBUILT_AT", value: ${q(d.toISOString())})`;
  const noCompilerCache = `withEnvVariable(name: "MLIR_RELEASE_COMPILER_CACHE", value: ${q('{"kind":"none"}')})`;

  it("rebuild (cache-off, the default) runs the CLI's rebuild in the recorded image with no cache, layer or sccache volume and the compiler cache off", async () => {
    const manifest = dag.host().file("/tmp/manifest.json");
    for (const call of [() => new MlirRelease().rebuild(src(), manifest, "linux-x86_64"), () => new MlirRelease().rebuild(src(), manifest, "linux-x86_64", true)]) {
      await rec.run(async () => (await call()).export("/tmp/rebuilt"));
      expect(rec.requests.some((c) => c.join(".") === 'host.file(path: "/tmp/manifest.json").contents')).toBe(true);
      expect(last()).toEqual([...head(...X86_2014), noCompilerCache, rebuiltAt(at), ...rebuildTail]);
      // The one volume left is provisioning's npm download cache (lockfile-checked packages, not build outputs).
      const volumes = last().filter((sel) => sel.startsWith("withMountedCache"));
      expect(volumes).toEqual([`withMountedCache(path: "${PATHS.npm}", cache: ${q(idFor(['cacheVolume(key: "mlir-release-npm")']))})`]);
      expect(last().join("\n")).not.toMatch(/mlir-release-(cache|llvm-layer|sccache)-|\/cache\/sccache/);
    }
    // A week later the same manifest is a new exec: the engine cannot answer with last week's rebuild.
    const later = new Date(at.getTime() + 7 * 24 * 3600_000);
    vi.setSystemTime(later);
    try {
      await rec.run(async () => (await new MlirRelease().rebuild(src(), manifest)).export("/tmp/rebuilt"));
      expect(last()).toContain(rebuiltAt(later));
      expect(last()).not.toContain(rebuiltAt(at));
    } finally {
      vi.setSystemTime(at);
    }
    await expect(rec.run(() => new MlirRelease().rebuild(src(), manifest, "linux-aarch64"))).rejects.toThrow(/records no image for linux-aarch64/);
  });

  it("the CLI's rebuild hands the container's compiler-cache setting to the factory (before, it built with the default sccache in <cache>)", () => {
    const m = { schemaVersion: 1, plan: PLAN, artifacts: [], provenance: { builder: "test", pipelineVersion: "test", layer: {} } } as unknown as ReleaseManifest;
    const dirs = { repoRoot: "/r", cacheDir: "/cache/mlir-release", workDir: "/work", outDir: "/out", toolsDir: "/t" };
    const off = compilerCacheSettings(CompilerCacheSettings.parse({}), { MLIR_RELEASE_COMPILER_CACHE: NO_COMPILER_CACHE });
    expect(settingsFromManifest(m, "linux-x86_64", { ...dirs, compilerCache: off }).compilerCache?.kind).toBe("none");
    expect(settingsFromManifest(m, "linux-x86_64", dirs).compilerCache).toBeUndefined();
  });

  it("rebuild --cache-off=false replays with the build's volumes (layer keyed by the recorded options hash) and no time stamp", async () => {
    const manifest = dag.host().file("/tmp/manifest.json");
    await rec.run(async () => (await new MlirRelease().rebuild(src(), manifest, "linux-x86_64", false)).export("/tmp/rebuilt"));
    expect(last()).toEqual([...head(...X86_2014), ...caches("linux-x86_64", "manylinux2014", PLAN.layer.optionsHash), ...rebuildTail]);
    expect(last().join("\n")).not.toMatch(/MLIR_RELEASE_REBUILT_AT|kind/);
  });

  it("downstream runs the CLI's downstream build in the locked image, the project at /in/project, and returns /out", async () => {
    const project = dag.host().directory("/tmp/project");
    await rec.run(() => new MlirRelease().downstream(src(), project, "22.1.8", "http://127.0.0.1:9/index", "linux-x86_64", "manylinux2014", "3.12").export("/tmp/ds-out"));
    expect(last()).toEqual([
      ...head(...X86_2014),
      `withMountedCache(path: "/cache/mlir-release", cache: ${vol("mlir-release-downstream-linux-x86_64-manylinux2014")})`,
      `withDirectory(path: "/in/project", source: ${q(idFor(["host", 'directory(path: "/tmp/project")']))})`,
      `withExec(args: ${list(["node", "bin/mlir-release.mjs", "downstream", "build", "--project", "/in/project", "--index-url", "http://127.0.0.1:9/index", "--release", "22.1.8", "--out", "/out", "--work", "/work", "--cache", "/cache/mlir-release", "--python", "3.12"])})`,
      'directory(path: "/out")',
      'export(path: "/tmp/ds-out")',
    ]);
    await expect(rec.run(() => new MlirRelease().downstream(src(), project, "22.1.8", "file:///index").export("/tmp/x"))).rejects.toThrow(/indexUrl/);
  });

  it("release --dry-run: plan, both Linux builds from the plan, host-built wheels as directories, publish --dry-run", async () => {
    const mac = dag.host().directory("/runner/macos-arm64");
    const win = dag.host().directory("/runner/windows-x64");
    await rec.run(() => new MlirRelease().release(src(), "snapshot", undefined, undefined, "manylinux2014", mac, undefined, win, true));
    const planId = idFor(planChain(["snapshot"]));
    const linux = (h: Chain, platform: string, policy: string) =>
      idFor([
        ...h,
        ...caches(platform, policy, PLAN.layer.optionsHash),
        `withMountedFile(path: "/in/plan.json", source: ${q(planId)})`,
        `withExec(args: ["node", "bin/mlir-release.mjs", "build", "--platform", "${platform}", "--policy", "${policy}", "--plan", "/in/plan.json", "--layer", "source", "--out", "/out", "--work", "/work", "--cache", "/cache/mlir-release"])`,
        'directory(path: "/out")',
      ]);
    const distId = idFor([
      "directory",
      `withDirectory(path: "linux-aarch64", source: ${q(linux(head(...ARM_228), "linux-aarch64", "manylinux_2_28"))})`,
      `withDirectory(path: "linux-x86_64", source: ${q(linux(head(...X86_2014), "linux-x86_64", "manylinux2014"))})`,
      `withDirectory(path: "macos-arm64", source: ${q(idFor(["host", 'directory(path: "/runner/macos-arm64")']))})`,
      `withDirectory(path: "windows-x64", source: ${q(idFor(["host", 'directory(path: "/runner/windows-x64")']))})`,
    ]);
    expect(last()).toEqual([
      ...head(...X86_2014),
      `withDirectory(path: "/dist", source: ${q(distId)})`,
      'withExec(args: ["bash", "containers/stage-dist.sh", "/dist", "/artifacts", "/stage"])',
      "stdout",
    ]);
  });

  it("release (not a dry run) publishes the stage to --github-repository's releases with the token as a secret", async () => {
    const token = dag.setSecret("gh", "not-a-real-token");
    await rec.run(() => new MlirRelease().release(src(), "snapshot", undefined, undefined, "manylinux2014", undefined, undefined, undefined, false, token, "github,index", "llvm-wheels/mlir-python"));
    expect(last().slice(-3)).toEqual([
      `withSecretVariable(name: "GITHUB_TOKEN", secret: ${q(idFor(['setSecret(name: "gh", plaintext: "not-a-real-token")']))})`,
      'withExec(args: ["node", "bin/mlir-release.mjs", "publish", "--stage", "/stage", "--targets", "github,index", "--github-repository", "llvm-wheels/mlir-python"])',
      "stdout",
    ]);
    expect(last().slice(0, head(...X86_2014).length)).toEqual(head(...X86_2014));
  });

  it("release on a day with nothing to build reports it and builds nothing", async () => {
    noRelease = true;
    try {
      const out = await rec.run(() => new MlirRelease().release(src(), "snapshot", undefined, "2026-11-25T00:00:00Z"));
      expect(out).toBe(`no release: no MLIR-relevant change since the last snapshot (LLVM ${"d".repeat(40)})\n`);
      expect(last()).toEqual([...planChain(["snapshot", "--cutoff", "2026-11-25T00:00:00Z"]), "contents"]);
    } finally {
      noRelease = false;
    }
  });

  it("a placeholder lock stops every function before anything is pulled", async () => {
    const saved = process.env["MLIR_RELEASE_IMAGES_LOCK"];
    // The committed lock has no placeholder left: a lock whose x86_64 manylinux2014 image is one again.
    const committed = resolvedLock();
    const placeholder = { ...committed, images: { ...committed.images, manylinux2014_x86_64: { ...committed.images["manylinux2014_x86_64"]!, placeholder: true } } };
    const file = join(mkdtempSync(join(tmpdir(), "placeholder-lock-")), "images.lock.json");
    writeFileSync(file, JSON.stringify(placeholder));
    process.env["MLIR_RELEASE_IMAGES_LOCK"] = file;
    try {
      const n = rec.requests.length;
      await expect(new MlirRelease().build(src(), "linux-x86_64")).rejects.toThrow(/placeholder.*refresh-image-pins\.sh/s);
      expect(rec.requests.length).toBe(n);
    } finally {
      process.env["MLIR_RELEASE_IMAGES_LOCK"] = saved;
    }
  });

  it("an unset registry host or Node download base stops the pull with the variable's name and what to set it to", async () => {
    const n = rec.requests.length;
    try {
      delete process.env["MLIR_RELEASE_IMAGE_REGISTRY"];
      await expect(new MlirRelease().build(src(), "linux-x86_64")).rejects.toThrow(
        /MLIR_RELEASE_IMAGE_REGISTRY is not set: set it to the host\[:port\] of the registry that serves pypa's manylinux images/,
      );
      Object.assign(process.env, HOST_ENV);
      delete process.env["MLIR_RELEASE_NODE_DIST_URL"];
      await expect(new MlirRelease().build(src(), "linux-x86_64")).rejects.toThrow(/MLIR_RELEASE_NODE_DIST_URL is not set: set it to the base URL of a Node\.js release mirror/);
      expect(rec.requests.length).toBe(n);
      // Constructor arguments (dagger call --image-registry/--node-dist-url) stand in for the variables.
      delete process.env["MLIR_RELEASE_IMAGE_REGISTRY"];
      await rec.run(async () => (await new MlirRelease(REGISTRY, NODE_DIST).build(src(), "linux-x86_64")).export("/tmp/dist"));
      expect(last().slice(0, 2)).toEqual(head(...X86_2014).slice(0, 2));
      const afterCtor = rec.requests.length;
      process.env["MLIR_RELEASE_IMAGE_REGISTRY"] = "https://127.0.0.1:5000";
      process.env["MLIR_RELEASE_NODE_DIST_URL"] = NODE_DIST;
      await expect(new MlirRelease().build(src(), "linux-x86_64")).rejects.toThrow(/MLIR_RELEASE_IMAGE_REGISTRY='https:\/\/127\.0\.0\.1:5000': expected a registry host\[:port\]/);
      expect(rec.requests.length).toBe(afterCtor);
    } finally {
      Object.assign(process.env, HOST_ENV);
    }
  });
});
