// The wheel factory: source → LLVM layer → bindings (once per platform) → one wheel per Python
// → repair → verify. Options are resolved once into BuildSettings; this module only sequences
// the stages and records what they produced.
import { InternalError } from "../errors.js";
import { readJsonAs } from "../util/json-input.js";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBindings } from "../bindings/build.js";
import { buildVenv, findPython } from "../bindings/pythons.js";
import type { ExecEnv } from "../exec/env.js";
import { type LlvmLayer, prebuiltLayer, sourceLayer } from "../layer/layer.js";
import type { Platform } from "../platforms/platform.js";
import type { Progress } from "../progress.js";
import { BuildReport, type CompilerCacheSettings, InvalidInputError, type LlvmSourceRef, type WheelTag } from "../schema.js";
import { buildDevDistribution } from "../dev/devdist.js";
import { dirSource, gitSource, type LlvmSourceTree, sha256File, tarballSource } from "../source/tree.js";
import { canonicalHash, sha256Hex } from "../util/hash.js";
import { runUpstreamLit } from "../verify/lit.js";
import { installIntoFreshVenv, parseCheckWheelContents, runFreeThreadedCheck, runSmoke } from "../verify/install.js";
import { auditwheelShow, repairWheel } from "../verify/repair.js";
import { interpreterTags, parsePython } from "../platforms/tags.js";
import { runtimeRequirements } from "../wheels/requirements.js";
import { runtimeLibsModule } from "../wheels/runtime-libs.js";
import { assembleWheel, type WheelMetadata } from "../wheels/wheel.js";

export type SourceSpec =
  | { kind: "tarball"; ref: Extract<LlvmSourceRef, { kind: "tarball" }>; localPath?: string }
  | { kind: "git"; ref: Extract<LlvmSourceRef, { kind: "git" }> }
  | { kind: "dir"; path: string };

export type LayerSpec = { kind: "prebuilt"; prefix: string } | { kind: "source"; cmakeOptions: Record<string, string> };

export interface ReleaseIdentity {
  distribution: string;
  /** Distribution name of the dev wheel (the downstream kit). */
  devDistribution: string;
  /** PEP 440 version; default: the source tree's LLVM version. */
  version?: string;
  llvmRepository: string;
  llvmCommit?: string;
  llvmTag?: string;
  /** Default: SOURCE_DATE_EPOCH from the environment, else the newest mtime in the source tree. */
  sourceDateEpoch?: number;
}

export interface VerifySettings {
  lit: boolean;
  /** Subset of mlir/test/python to run; all when empty. */
  litFilter?: string[];
}

export interface BuildSettings {
  repoRoot: string;
  cacheDir: string;
  workDir: string;
  outDir: string;
  platform: Platform;
  pythons: string[];
  source: SourceSpec;
  layer: LayerSpec;
  release: ReleaseIdentity;
  nanobind: string;
  nanobindDomain: string;
  verify: VerifySettings | false;
  toolsDir: string;
  jobs?: number;
  /** The from-source layer's compiler cache (default: sccache, local directory under cacheDir). */
  compilerCache?: CompilerCacheSettings;
  /** Also build the dev distribution (tarball + dev wheel) from the same layer and bindings. */
  dev: boolean;
}

export const PIPELINE_VERSION = "mlir-release 0.1.0";

export async function resolveSource(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<LlvmSourceTree> {
  const common = { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot };
  switch (s.source.kind) {
    case "tarball":
      return tarballSource(s.source.ref, common, s.source.localPath);
    case "git":
      return gitSource(s.source.ref, common);
    case "dir":
      return dirSource(s.source.path);
  }
}

export async function resolveLayer(
  s: BuildSettings,
  source: LlvmSourceTree,
  env: ExecEnv,
  progress: Progress,
): Promise<LlvmLayer> {
  if (s.layer.kind === "prebuilt") return prebuiltLayer(s.layer.prefix, source, s.platform.id);
  const layerSource = await resolveSource(s, env, progress).then((t) =>
    s.source.kind === "dir"
      ? t
      : s.source.kind === "tarball"
        ? tarballSource(s.source.ref, { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot, parts: "layer" }, s.source.localPath)
        : gitSource(s.source.ref, { env, progress, cacheDir: s.cacheDir, repoRoot: s.repoRoot, parts: "layer" }),
  );
  return sourceLayer(layerSource, {
    env,
    progress,
    cacheDir: s.cacheDir,
    platform: s.platform.id,
    cmakeOptions: s.layer.cmakeOptions,
    ...(s.jobs ? { jobs: s.jobs } : {}),
    ...(s.compilerCache ? { compilerCache: s.compilerCache } : {}),
    ...(existsSync(join(s.toolsDir, "bin", "sccache")) ? { sccache: join(s.toolsDir, "bin", "sccache") } : {}),
  });
}

/** Newest mtime of the files the bindings are built from: stable for a given source tree. */
export function treeEpoch(root: string): number {
  let newest = 0;
  const walk = (d: string, depth: number): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (depth < 12 && !e.startsWith(".")) walk(p, depth + 1);
      } else newest = Math.max(newest, Math.floor(st.mtimeMs / 1000));
    }
  };
  walk(join(root, "mlir", "python"), 0);
  return newest;
}

const projectFilesHash = (repoRoot: string): string => {
  const dir = join(repoRoot, "containers", "bindings");
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(`${p.slice(dir.length)}:${sha256Hex(readFileSync(p))}`);
    }
  };
  walk(dir);
  return sha256Hex(files.join("\n"));
};

export function releaseInfoModule(fields: Record<string, string | number>): string {
  const lines = ['"""What this mlir wheel was built from (generated by mlir-release)."""', ""];
  for (const [k, v] of Object.entries(fields)) lines.push(`${k} = ${JSON.stringify(v)}`);
  return `${lines.join("\n")}\n`;
}

export async function buildWheels(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport> {
  const t0 = Date.now();
  const seconds: Record<string, number> = {};
  const lap = (name: string, t: number): void => {
    seconds[name] = Math.round((Date.now() - t) / 100) / 10;
  };
  mkdirSync(s.outDir, { recursive: true });
  mkdirSync(s.workDir, { recursive: true });

  progress.stage("source");
  let t = Date.now();
  const source = await resolveSource(s, env, progress);
  lap("source", t);

  progress.stage("llvm layer");
  t = Date.now();
  const layer = await resolveLayer(s, source, env, progress);
  lap("layer", t);

  const version = s.release.version ?? source.version.text.replace(/-(rc\d+)$/, "$1");
  const envEpoch = process.env["SOURCE_DATE_EPOCH"];
  const sourceDateEpoch = s.release.sourceDateEpoch ?? (envEpoch ? Number(envEpoch) : treeEpoch(source.root));
  const commit = s.release.llvmCommit ?? (source.ref.kind === "git" ? source.ref.commit : "unknown");
  const requirements = runtimeRequirements(readFileSync(join(source.root, "mlir", "python", "requirements.txt"), "utf8"));
  const metadata: WheelMetadata = {
    distribution: s.release.distribution,
    version,
    summary: `MLIR Python bindings built from LLVM ${source.version.text}${commit !== "unknown" ? ` (${commit.slice(0, 12)})` : ""}`,
    license: "Apache-2.0 WITH LLVM-exception",
    requiresPython: ">=3.10",
    requiresDist: requirements,
    projectUrls: {
      Source: commit !== "unknown" ? `${s.release.llvmRepository.replace(/\.git$/, "")}/tree/${commit}` : s.release.llvmRepository,
    },
  };
  const releaseInfo = releaseInfoModule({
    DISTRIBUTION: s.release.distribution,
    VERSION: version,
    LLVM_VERSION: source.version.text,
    LLVM_COMMIT: commit,
    LLVM_TAG: s.release.llvmTag ?? "",
    LLVM_REPOSITORY: s.release.llvmRepository,
    SOURCE: source.identity,
    NANOBIND_DOMAIN: s.nanobindDomain,
    SOURCE_DATE_EPOCH: sourceDateEpoch,
  });
  const projectHash = projectFilesHash(s.repoRoot);
  const buildDir = join(s.workDir, "bindings", s.platform.id);
  const report: BuildReport = BuildReport.parse({
    platform: s.platform.id,
    distribution: s.release.distribution,
    version,
    llvm: { version: source.version.text, commit, sourceIdentity: source.identity },
    layer: { kind: layer.kind, prefix: layer.prefix, key: layer.key },
    sourceDateEpoch,
    nanobindDomain: s.nanobindDomain,
    wheels: [],
    seconds,
  });

  progress.stage("bindings + wheels");
  for (const [i, pyVersion] of s.pythons.entries()) {
    const tp = Date.now();
    progress.step(`Python ${pyVersion} (${i + 1}/${s.pythons.length})`);
    const base = await findPython(env, pyVersion, s.cacheDir);
    const abi = parsePython(pyVersion).freeThreaded ? "freethreaded" : "cpython";
    const stampKey = canonicalHash({
      pipeline: PIPELINE_VERSION,
      source: source.identity,
      layer: layer.key,
      python: base.executable,
      nanobind: s.nanobind,
      domain: s.nanobindDomain,
      metadata,
      releaseInfo,
      runtimeLibs: runtimeLibsModule(),
      projectHash,
      platform: s.platform.id,
    });
    const stampFile = join(s.workDir, "stamps", `${s.platform.id}-py${pyVersion}.json`);
    const reused = reuseIfUnchanged(stampFile, stampKey, s.outDir);
    if (reused) {
      progress.step(`Python ${pyVersion}: unchanged, reusing ${reused.fileName}`);
      report.wheels.push({ ...reused, reused: true, seconds: { total: Math.round((Date.now() - tp) / 100) / 10 } });
      continue;
    }
    const venvPython = await buildVenv(env, base, join(s.cacheDir, "venvs", `${s.platform.id}-py${pyVersion}`), [
      `nanobind==${s.nanobind}`,
      "typing_extensions",
      "PyYAML",
      "numpy",
    ]);
    const stageDir = join(s.workDir, "stage", `${s.platform.id}-py${pyVersion}`);
    const built = await buildBindings({
      env,
      progress,
      repoRoot: s.repoRoot,
      source,
      layer,
      python: { version: pyVersion, executable: venvPython },
      buildDir,
      stageDir,
      nanobindDomain: s.nanobindDomain,
      cmakeDefs: s.platform.bindingsCmakeDefs(pyVersion, abi),
      ...(s.platform.strip ? { strip: s.platform.strip } : {}),
      ...(s.jobs ? { jobs: s.jobs } : {}),
    });
    const tw = Date.now();
    // cp313-cp313: a free-threaded 3.13t wheel is cp313-cp313t (python tag cp313, ABI cp313t).
    const interp = interpreterTags(pyVersion, abi);
    const rawTag: WheelTag = { ...interp, platform: s.platform.rawPlatformTag };
    const rawDir = join(s.workDir, "raw-wheels");
    rmSync(rawDir, { recursive: true, force: true });
    mkdirSync(rawDir, { recursive: true });
    const raw = await assembleWheel({
      root: stageDir,
      packageName: "mlir",
      metadata,
      tag: rawTag,
      sourceDateEpoch,
      generator: PIPELINE_VERSION,
      extraFiles: { "mlir/_release_info.py": releaseInfo, "mlir/_runtime_libs.py": runtimeLibsModule() },
      outDir: rawDir,
      // Stored, not deflated: the repair tool rewrites it and the final normalization compresses once.
      compressionLevel: 0,
    });
    const assembleSeconds = (Date.now() - tw) / 1000;

    const tr = Date.now();
    progress.step(`repair ${raw.fileName}`);
    const verdict = await auditwheelShow(env, join(s.toolsDir, "bin", "auditwheel"), raw.path);
    const policy = verdict.constrainedTo ?? verdict.consistentWith;
    for (const old of readdirSync(s.outDir)) {
      if (old.endsWith(".whl") && old.includes(`-${interp.python}-${interp.abi}-`)) rmSync(join(s.outDir, old));
    }
    const repairDir = join(s.workDir, "repaired");
    rmSync(repairDir, { recursive: true, force: true });
    mkdirSync(repairDir, { recursive: true });
    const toolsBin = join(s.toolsDir, "bin");
    const repaired = await repairWheel(
      env,
      s.platform.repair.argv(raw.path, repairDir, policy, toolsBin),
      repairDir,
      s.outDir,
      sourceDateEpoch,
      toolsBin,
    );
    const fileName = repaired.slice(s.outDir.length + 1);
    const sha256 = await sha256File(repaired);
    const entry = {
      python: pyVersion,
      fileName,
      sha256,
      size: statSync(repaired).size,
      tag: tagOf(fileName),
      reused: false,
      seconds: {
        ...built.seconds,
        assemble: Math.round(assembleSeconds * 10) / 10,
        repair: Math.round((Date.now() - tr) / 100) / 10,
        total: Math.round((Date.now() - tp) / 100) / 10,
      },
      auditwheel: { consistentWith: verdict.consistentWith, policy, reasons: verdict.reasons },
    };
    report.wheels.push(entry);
    mkdirSync(join(s.workDir, "stamps"), { recursive: true });
    writeFileSync(stampFile, JSON.stringify({ key: stampKey, wheel: { ...entry, reused: undefined, seconds: undefined } }, null, 2));
  }
  lap("wheels", t);

  if (s.dev && report.wheels.length > 0) {
    progress.stage("dev distribution");
    t = Date.now();
    const first = report.wheels[0]!;
    const devKey = canonicalHash({ wheels: report.wheels.map((w) => w.sha256), layer: layer.key, devCode: devCodeHash(s.repoRoot) });
    const devStamp = join(s.workDir, "stamps", `${s.platform.id}-dev.json`);
    const reusedDev = reuseDevIfUnchanged(devStamp, devKey, s.outDir);
    if (reusedDev) {
      progress.step("unchanged, reusing the dev distribution");
      report.dev = reusedDev;
    } else {
      const stagedPackageDir = join(s.workDir, "stage", `${s.platform.id}-py${first.python}`, "mlir");
      if (!existsSync(join(buildDir, "CMakeCache.txt")) || !existsSync(stagedPackageDir)) {
        throw new InvalidInputError(
          `the dev distribution needs the bindings build (${buildDir}) and a staged package (${stagedPackageDir}); rerun without reused wheels (delete ${join(s.workDir, "stamps")})`,
        );
      }
      report.dev = await buildDevDistribution({
        env,
        progress,
        repoRoot: s.repoRoot,
        layer,
        bindingsBuildDir: buildDir,
        stagedPackageDir,
        workDir: s.workDir,
        outDir: s.outDir,
        info: {
          distribution: s.release.distribution,
          devDistribution: s.release.devDistribution,
          version,
          llvmVersion: source.version.text,
          llvmCommit: commit,
          platform: s.platform.id,
          nanobind: s.nanobind,
          nanobindDomain: s.nanobindDomain,
          packagePrefix: "mlir",
        },
        platformTag: first.tag.platform,
        sourceDateEpoch,
        generator: PIPELINE_VERSION,
      });
      writeFileSync(devStamp, JSON.stringify({ key: devKey, dev: report.dev }, null, 2));
    }
    lap("dev", t);
  }

  if (s.verify) {
    progress.stage("verify");
    t = Date.now();
    for (const w of report.wheels) {
      report.verification[w.fileName] = await verifyWheel(s, env, progress, source, layer, w.python, join(s.outDir, w.fileName));
    }
    lap("verify", t);
  }
  seconds["total"] = Math.round((Date.now() - t0) / 100) / 10;
  writeFileSync(join(s.outDir, "build-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

const devCodeHash = (repoRoot: string): string =>
  sha256Hex(
    [
      join(repoRoot, "src", "dev", "devdist.ts"),
      join(repoRoot, "src", "wheels", "tools.ts"),
      join(repoRoot, "containers", "bindings", "cmake", "MLIRReleaseLayerFixups.cmake"),
    ]
      .map((f) => readFileSync(f, "utf8"))
      .join("\0"),
  );

/** What a stamp recorded, if it was written for `key` (the same inputs); undefined otherwise. */
function stampFor<T>(stampFile: string, key: string): T | undefined {
  if (!existsSync(stampFile)) return undefined;
  const stamp = JSON.parse(readFileSync(stampFile, "utf8")) as { key: string } & T;
  return stamp.key === key ? stamp : undefined;
}

/** Whether the recorded output file is still there with the recorded size. */
const stillThere = (path: string, size: number): boolean => existsSync(path) && statSync(path).size === size;

function reuseDevIfUnchanged(stampFile: string, key: string, outDir: string): BuildReport["dev"] | undefined {
  const dev = stampFor<{ dev: BuildReport["dev"] }>(stampFile, key)?.dev;
  return dev?.every((a) => stillThere(join(outDir, a.fileName), a.size)) ? dev : undefined;
}

function reuseIfUnchanged(
  stampFile: string,
  key: string,
  outDir: string,
): Omit<BuildReport["wheels"][number], "reused" | "seconds"> | undefined {
  const wheel = stampFor<{ wheel: Omit<BuildReport["wheels"][number], "reused" | "seconds"> }>(stampFile, key)?.wheel;
  if (!wheel) return undefined;
  const path = join(outDir, wheel.fileName);
  if (!stillThere(path, wheel.size)) return undefined;
  // A full hash costs ~0.3 s for a 60 MB wheel: cheap enough to never reuse a tampered file.
  if (sha256Hex(readFileSync(path)) !== wheel.sha256) return undefined;
  return wheel;
}

export function tagOf(fileName: string): WheelTag {
  const parts = fileName.replace(/\.whl$/, "").split("-");
  const [python, abi, platform] = parts.slice(-3);
  if (!python || !abi || !platform) throw new InternalError(`not a wheel file name: ${fileName}`);
  return { python, abi, platform };
}

/** Verifies wheels already in outDir (one per Python asked for) and updates build-report.json. */
export async function verifyDist(s: BuildSettings, env: ExecEnv, progress: Progress): Promise<BuildReport> {
  const reportPath = join(s.outDir, "build-report.json");
  if (!existsSync(reportPath)) {
    throw new InvalidInputError(`${reportPath} is missing: verify takes the output folder of 'mlir-release build'`);
  }
  const report = readJsonAs(BuildReport, reportPath, "build report");
  progress.stage("source");
  const source = await resolveSource(s, env, progress);
  const layer = await resolveLayer(s, source, env, progress);
  progress.stage("verify");
  for (const w of report.wheels.filter((w) => s.pythons.includes(w.python))) {
    const path = join(s.outDir, w.fileName);
    if (!existsSync(path) || (await sha256File(path)) !== w.sha256) {
      throw new InvalidInputError(`${path} is missing or differs from build-report.json (sha256 ${w.sha256})`);
    }
    report.verification[w.fileName] = await verifyWheel(s, env, progress, source, layer, w.python, path);
  }
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

export async function verifyWheel(
  s: BuildSettings,
  env: ExecEnv,
  progress: Progress,
  source: LlvmSourceTree,
  layer: LlvmLayer,
  pyVersion: string,
  wheel: string,
): Promise<BuildReport["verification"][string]> {
  const t = Date.now();
  progress.step(`check-wheel-contents (Python ${pyVersion})`);
  let contents = "";
  try {
    contents = (await env.run([join(s.toolsDir, "bin", "check-wheel-contents"), wheel], { capture: true })).stdout;
  } catch (e) {
    contents = e instanceof Error ? e.message : String(e);
  }
  const findings = parseCheckWheelContents(contents);
  progress.step(`install into a fresh venv (Python ${pyVersion})`);
  const base = await findPython(env, pyVersion, s.cacheDir);
  const venvPy = await installIntoFreshVenv(env, base.executable, join(s.workDir, "verify-venvs", `py${pyVersion}`), wheel);
  // Free-threaded: the smoke test and lit run with PYTHON_GIL=0 (the GIL cannot come back), and a
  // threaded check without it proves the extensions keep it off on their own.
  const freeThreaded = parsePython(pyVersion).freeThreaded;
  const pythonEnv: Record<string, string> = freeThreaded ? { PYTHON_GIL: "0" } : {};
  progress.step(`smoke test (Python ${pyVersion}${freeThreaded ? ", PYTHON_GIL=0" : ""})`);
  const smoke = await runSmoke(env, venvPy, s.repoRoot, pythonEnv);
  let threads;
  if (freeThreaded) {
    progress.step(`IR built and walked from several threads (Python ${pyVersion})`);
    threads = await runFreeThreadedCheck(env, venvPy, s.repoRoot);
    progress.info(`free-threaded (Python ${pyVersion}): ${threads.modules_walked} modules in ${threads.threads} threads, GIL enabled: ${threads.gil_after_threads}`);
  }
  let lit;
  if (s.verify && s.verify.lit) {
    progress.step(`upstream lit suite mlir/test/python (Python ${pyVersion})`);
    lit = await runUpstreamLit({
      env,
      litExecutable: join(s.toolsDir, "bin", "lit"),
      sourceRoot: source.root,
      layer,
      python: venvPy,
      pythonVersion: pyVersion,
      workDir: s.workDir,
      ...(s.verify.litFilter ? { filter: s.verify.litFilter } : {}),
      hostTriple: await hostTriple(env, layer),
      targets: layerTargets(layer),
      ...(s.jobs ? { jobs: s.jobs } : {}),
      pythonEnv,
    });
    progress.info(
      `lit (Python ${pyVersion}): ${lit.passed} passed, ${lit.failed} failed, ${lit.unsupported} unsupported` +
        (lit.failures.length ? ` — failed: ${lit.failures.join(", ")}` : ""),
    );
  }
  return {
    python: pyVersion,
    wheelContents: findings,
    smoke: smoke as unknown as Record<string, unknown>,
    ...(threads ? { freeThreaded: threads as unknown as Record<string, unknown> } : {}),
    ...(lit ? { lit } : {}),
    seconds: Math.round((Date.now() - t) / 100) / 10,
  };
}

async function hostTriple(env: ExecEnv, layer: LlvmLayer): Promise<string> {
  try {
    return (await env.run([join(layer.toolsDir, "llvm-config"), "--host-target"], { capture: true })).stdout.trim();
  } catch {
    return "x86_64-unknown-linux-gnu";
  }
}

function layerTargets(layer: LlvmLayer): string[] {
  try {
    const cfg = readFileSync(join(layer.prefix, "lib", "cmake", "llvm", "LLVMConfig.cmake"), "utf8");
    return /set\(LLVM_TARGETS_TO_BUILD\s+([^)]*)\)/.exec(cfg)?.[1]?.split(";") ?? [];
  } catch {
    return [];
  }
}
