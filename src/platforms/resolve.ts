// The resolved build plan of one platform: every command, environment variable, CMake cache
// entry and wheel tag the wheel factory would use there, per Python. Pure: what `build --dry-run`
// prints, and what the tests for macOS/Windows (which cannot run here) assert against.
import { posix, win32 } from "node:path";
import { bindingsConfigureArgs } from "../bindings/build.js";
import type { LlvmLayer } from "../layer/layer.js";
import { type AbiVariant, wheelTagString } from "../schema.js";
import type { LlvmSourceTree } from "../source/tree.js";
import { wheelFileName } from "../wheels/wheel.js";
import { type AbiChoice, chooseAbi, type LlvmAbiFacts } from "./abi.js";
import type { ListDir, Platform, ProvisionStep } from "./platform.js";
import { interpreterTags } from "./tags.js";
import { WINDOWS_SHORT_WORK_DIR } from "./windows-x64.js";

export interface ResolvedBuild {
  python: string;
  abi: AbiVariant;
  /** CPython versions the wheel installs on. */
  serves: string[];
  /** The interpreter used (first discovery candidate) and the full search order. */
  interpreter: string;
  interpreterCandidates: string[];
  extensionSuffix: string;
  /** Every -D of the bindings configure, sorted. */
  cmakeCache: Record<string, string>;
  commands: string[][];
  rawWheel: string;
  /** Published tag (after repair) and file name. */
  tag: string;
  wheel: string;
}

export interface PlatformPlan {
  platform: string;
  policy?: string;
  runner: { label: string; image?: string; imagePin?: string };
  generator: string;
  env: Record<string, string>;
  provision: ProvisionStep[];
  abi: Pick<AbiChoice, "variant" | "reason" | "skipped">;
  repair: { tool: string; checks: string };
  builds: ResolvedBuild[];
  notes: string[];
}

export interface ResolveInput {
  pythons: string[];
  llvm: LlvmAbiFacts;
  distribution: string;
  version: string;
  nanobind: string;
  nanobindDomain: string;
  /** Repository checkout on the build machine (holds containers/bindings). */
  repoRoot: string;
  sourceRoot: string;
  mlirCmakeDir: string;
  workDir: string;
  toolsBin: string;
  /** The runner's environment for discovery (defaults to the module's runner facts). */
  env?: Record<string, string | undefined>;
  listDir?: ListDir;
  /** Whether a candidate interpreter exists (native resolution); without it the first candidate is shown. */
  exists?: (path: string) => boolean;
  /** sysconfig.get_platform() per Python, when known (macOS tags depend on it). */
  sysconfigPlatforms?: Record<string, string>;
  /** Image pins from containers/images.lock.json, by lock key. */
  imagePins?: Record<string, string>;
  cmakeVersion?: string;
}

export function resolvePlatformPlan(p: Platform, input: ResolveInput, abiChoice?: AbiChoice): PlatformPlan {
  const path = p.os === "windows" ? win32 : posix;
  const workDir = p.os === "windows" ? WINDOWS_SHORT_WORK_DIR : input.workDir;
  const env = { ...p.runner.env, ...(input.env ?? {}) };
  const choice =
    abiChoice ??
    chooseAbi({
      llvm: input.llvm,
      pythons: input.pythons,
      // Resolving on the machine itself: only the Pythons it really has.
      runnerPythons: input.exists ? p.runner.pythons.filter((v) => p.pythonCandidates(v, env, input.listDir).some((c) => input.exists!(c))) : p.runner.pythons,
      ...(input.cmakeVersion ? { cmakeVersion: input.cmakeVersion } : {}),
    });
  const buildDir = path.join(workDir, "bindings", p.id);
  const builds = choice.builds.map((b): ResolvedBuild => {
    const candidates = p.pythonCandidates(b.python, env, input.listDir);
    const interpreter = (input.exists && candidates.find((c) => input.exists!(c))) || candidates[0]!;
    const tags = interpreterTags(b.python, b.abi);
    const stageDir = path.join(workDir, "stage", `${p.id}-py${b.python}`);
    const venvDir = path.join(workDir, "venvs", `${p.id}-py${b.python}`);
    const venvPython = path.join(venvDir, p.os === "windows" ? "Scripts\\python.exe" : "bin/python");
    const configure = bindingsConfigureArgs({
      env: undefined as never,
      progress: undefined as never,
      repoRoot: input.repoRoot,
      source: { root: input.sourceRoot } as LlvmSourceTree,
      layer: { version: input.llvm.version, mlirCmakeDir: input.mlirCmakeDir } as LlvmLayer,
      python: { version: b.python, executable: venvPython },
      buildDir,
      stageDir,
      nanobindDomain: input.nanobindDomain,
      cmakeDefs: { ...p.bindingsCmakeDefs(b.python, b.abi), ...b.cmakeDefs },
    });
    const cmakeCache = Object.fromEntries(
      configure
        .filter((a) => a.startsWith("-D"))
        .map((a) => {
          const i = a.indexOf("=");
          return [a.slice(2, i), a.slice(i + 1)];
        }),
    );
    const sysconfigPlatform = input.sysconfigPlatforms?.[b.python];
    const tag = { ...tags, platform: p.wheelPlatformTag(sysconfigPlatform ? { sysconfigPlatform } : {}) };
    const rawWheel = path.join(workDir, "raw-wheels", wheelFileName(input.distribution, input.version, { ...tags, platform: p.rawPlatformTag }));
    const policy = p.os === "linux" ? `${p.policy}_${p.arch}` : p.os === "macos" ? p.wheelPlatformTag() : "win_amd64";
    const commands: string[][] = [
      [interpreter, "-m", "venv", venvDir],
      [venvPython, "-m", "pip", "install", `nanobind==${input.nanobind}`, "typing_extensions", "PyYAML", "numpy"],
      configure,
      ["ninja", "-C", buildDir],
      ["cmake", "--install", buildDir, "--prefix", stageDir, "--component", "MLIRPythonModules"],
      ...(p.strip ? [[...p.strip, path.join(stageDir, "mlir", "_mlir_libs", `*${p.os === "macos" ? ".so *.dylib" : ".so*"}`)]] : []),
      p.repair.argv(rawWheel, path.join(workDir, "repaired"), policy, input.toolsBin, { stageDir, nanobindDomain: input.nanobindDomain }),
    ];
    return {
      python: b.python,
      abi: b.abi,
      serves: b.serves,
      interpreter,
      interpreterCandidates: candidates,
      extensionSuffix: p.extensionSuffix(b.python, b.abi),
      cmakeCache,
      commands,
      rawWheel,
      tag: wheelTagString(tag),
      wheel: wheelFileName(input.distribution, input.version, tag),
    };
  });
  const image = p.runner.image;
  const imagePin = image ? input.imagePins?.[image] : undefined;
  return {
    platform: p.id,
    ...(p.policy ? { policy: p.policy } : {}),
    runner: { label: p.runner.label, ...(image ? { image } : {}), ...(imagePin ? { imagePin } : {}) },
    generator: p.generator,
    env: p.buildEnv,
    provision: p.provision({ nanobind: input.nanobind }),
    abi: { variant: choice.variant, reason: choice.reason, skipped: choice.skipped },
    repair: { tool: p.repair.tool, checks: p.repair.checks },
    builds,
    notes: p.notes,
  };
}

// Placeholders such as $RUNNER_TEMP stay expandable (double quotes); everything else is quoted literally.
const quote = (a: string): string =>
  /^[\w@%+=:,./\\*-]+$/.test(a) ? a : /^[\w@%+=:,./\\*${}-]+$/.test(a) ? `"${a}"` : `'${a.replace(/'/g, "'\\''")}'`;
const shell = (argv: string[]): string => argv.map(quote).join(" ");

/** Human-readable plan (the dry run's output). */
export function formatPlatformPlan(plan: PlatformPlan): string {
  const out: string[] = [];
  const image = plan.runner.image ? `, image ${plan.runner.image} (${plan.runner.imagePin ?? "no pin in containers/images.lock.json yet"})` : "";
  out.push(`== ${plan.platform}${plan.policy ? ` [${plan.policy}]` : ""}: runner ${plan.runner.label}${image}, generator ${plan.generator}`);
  for (const n of plan.notes) out.push(`   why: ${n}`);
  out.push("   provision:");
  for (const s of plan.provision) out.push(`     $ ${shell(s.argv)}\n         # ${s.why}`);
  const envs = Object.entries(plan.env);
  out.push(`   env: ${envs.length ? envs.map(([k, v]) => `${k}=${v}`).join(" ") : "(none)"}`);
  out.push(`   abi: ${plan.abi.variant}: ${plan.abi.reason}`);
  for (const s of plan.abi.skipped) out.push(`     skipped ${s.python}: ${s.reason}`);
  out.push(`   repair: ${plan.repair.tool}: ${plan.repair.checks}`);
  for (const b of plan.builds) {
    out.push(`   -- ${b.wheel}`);
    out.push(`      python ${b.python} (${b.abi}, serves ${b.serves.join(" ")}): ${b.interpreter}`);
    out.push(`      extension suffix ${b.extensionSuffix}`);
    out.push(`      cmake cache: ${Object.entries(b.cmakeCache).map(([k, v]) => `${k}=${v}`).join(" ")}`);
    for (const c of b.commands) out.push(`      $ ${shell(c)}`);
  }
  return out.join("\n") + "\n";
}
