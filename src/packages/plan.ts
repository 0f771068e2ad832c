// Planning one enabled package on one platform (pure, like the platform plan it extends): the
// recipe's build commands, then the wheel target's steps every wheel has (assemble → inspect →
// repair → place, the same in-process handlers as the MLIR wheels'), then per Python the recipe's
// tests against the wheel installed alone into a fresh venv.
import type { PlanContext } from "../platforms/plan-context.js";
import { inspectSteps } from "../platforms/plan-inspect.js";
import { venvPython } from "../platforms/plan-provision.js";
import type { BuildStepInput } from "../schema/build-step.js";
import { wheelFileName } from "../wheels/wheel.js";
import type { EnabledPackage, RecipeBuildContext, RecipeCommand, RecipeTestContext } from "./recipe.js";

/** A package's wheel as the plan names it (the report and the manifest record the placed file). */
export interface PackagePlan {
  id: string;
  distribution: string;
  packageName: string;
  title: string;
  stageDir: string;
  rawWheel: string;
  repairDir: string;
  /** Published tag (py3-none-<platform after repair>) and file name. */
  tag: string;
  wheel: string;
  /** The Pythons its tests run on, the interpreter each fresh venv is made from, and the step whose stdout ends with the counts. */
  tests: { python: string; interpreter: string; step: string }[];
}

export interface PackagePlanInput {
  /** The tree of the recipe's sourcePaths (the same source as the bindings', its own folder). */
  sourceRoot: string;
  /** The layer's install prefix and exact LLVM version ("22.1.8"); the wheel's version. */
  layerPrefix: string;
  llvmVersion: string;
  version: string;
  /** The Pythons (and interpreters) the build has: each tests the one py3-none wheel. */
  pythons: { python: string; interpreter: string }[];
}

const stepOf = (id: string, cmd: RecipeCommand, python?: string): BuildStepInput => ({
  kind: "command",
  id,
  phase: cmd.phase,
  argv: cmd.argv,
  why: cmd.why,
  ...(python ? { python } : {}),
  ...(cmd.cwd ? { cwd: cmd.cwd } : {}),
  ...(cmd.env ? { env: cmd.env } : {}),
  ...(cmd.cleans ? { cleans: cmd.cleans } : {}),
  ...(cmd.produces ? { produces: cmd.produces } : {}),
  ...(cmd.capture ? { capture: true } : {}),
});

/** The package's folders on this platform: its build folder is kept (incremental), its stage is remade. */
export function packageDirs(c: Pick<PlanContext, "path" | "workDir" | "p">, id: string): { buildDir: string; stageDir: string; repairDir: string; testDir: string } {
  const root = c.path.join(c.workDir, "packages", id, c.p.id);
  return { buildDir: c.path.join(root, "build"), stageDir: c.path.join(root, "stage"), repairDir: c.path.join(root, "repaired"), testDir: c.path.join(root, "tests") };
}

/** The package's build steps (recipe commands, assemble, inspect, repair, place) and its verify steps. */
export function planPackage(pkg: EnabledPackage, c: PlanContext, i: PackagePlanInput): { planned: PackagePlan; steps: BuildStepInput[]; verify: BuildStepInput[] } {
  const { recipe } = pkg;
  const { p, path, toolsBin } = c;
  const dirs = packageDirs(c, recipe.id);
  const buildContext: RecipeBuildContext = {
    repoRoot: c.input.repoRoot,
    sourceRoot: i.sourceRoot,
    layerPrefix: i.layerPrefix,
    llvmVersion: i.llvmVersion,
    buildDir: dirs.buildDir,
    stageDir: dirs.stageDir,
    tool: c.tool,
    ...(c.input.jobs ? { jobs: c.input.jobs } : {}),
    platform: { id: p.id, os: p.os, arch: p.arch },
  };
  const tag = { python: "py3", abi: "none", platform: p.wheelPlatformTag({ policy: c.policy }) };
  const rawWheel = path.join(c.rawDir, wheelFileName(pkg.distribution, i.version, { ...tag, platform: p.rawPlatformTag }));
  const wheel = wheelFileName(pkg.distribution, i.version, tag);
  const final = path.join(c.outDir, wheel);
  const id = recipe.id;
  const steps: BuildStepInput[] = [
    ...recipe.build(buildContext).map((cmd) => stepOf(`${id}/${cmd.name}`, cmd)),
    {
      kind: "in-process",
      id: `${id}/zip`,
      phase: "zip",
      name: "assemble-wheel",
      detail: `${path.join(dirs.stageDir, recipe.wheel.packageName)} → ${rawWheel} (sorted entries, fixed timestamps, stored)`,
      why: `the raw ${recipe.title} wheel (py3-none: nothing in it is Python-specific), deterministic, before repair`,
      produces: [rawWheel],
    },
    ...inspectSteps(c, `${id}/inspect`, rawWheel, "what the policy allows and which libraries get grafted (recorded in the build report)"),
    {
      kind: "command",
      id: `${id}/repair`,
      phase: "repair",
      argv: p.repair.argv(rawWheel, dirs.repairDir, c.policy, toolsBin, { stageDir: dirs.stageDir }),
      why: `${p.repair.checks} (the ${recipe.title} wheel)`,
      pathPrepend: [toolsBin],
      cleans: [dirs.repairDir],
    },
    {
      kind: "in-process",
      id: `${id}/place`,
      phase: "repair",
      name: "place-wheel",
      detail: `${dirs.repairDir}/*.whl → ${final} (re-normalized)`,
      why: "one wheel per platform and release, under its planned file name",
      produces: [final],
    },
  ];
  const tests: PackagePlan["tests"] = [];
  const verify = i.pythons.flatMap(({ python, interpreter }) => {
    const pre = `${id}/py${python}`;
    const vdir = path.join(c.workDir, "verify-venvs", `${id}-py${python}`);
    const vpy = venvPython(p, vdir);
    const testContext: RecipeTestContext = { repoRoot: c.input.repoRoot, sourceRoot: i.sourceRoot, version: python, python: vpy, workDir: path.join(dirs.testDir, `py${python}`) };
    const commands = recipe.tests(testContext);
    tests.push({ python, interpreter, step: `${pre}/${commands[commands.length - 1]?.name ?? "tests"}` });
    return [
      { python, kind: "command", id: `${pre}/verify-venv`, phase: "verify", argv: [interpreter, "-m", "venv", "--clear", vdir], why: `a fresh venv of CPython ${python}` },
      {
        python,
        kind: "command",
        id: `${pre}/verify-install`,
        phase: "verify",
        // The wheel alone, from its file: it has no requirements, and nothing else may be in the venv.
        argv: [vpy, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-index", "--no-deps", final],
        why: `install the ${recipe.title} wheel as a user would, with nothing else`,
      },
      ...commands.map((cmd) => stepOf(`${pre}/${cmd.name}`, cmd, python)),
    ] satisfies BuildStepInput[];
  });
  return {
    planned: {
      id,
      distribution: pkg.distribution,
      packageName: recipe.wheel.packageName,
      title: recipe.title,
      stageDir: dirs.stageDir,
      rawWheel,
      repairDir: dirs.repairDir,
      tag: `${tag.python}-${tag.abi}-${tag.platform}`,
      wheel,
      tests,
    },
    steps,
    verify,
  };
}
