// Phase 6 of a platform's plan, once per wheel: packaging lint, a fresh venv, install as a user would,
// the smoke test (and the threaded check of a free-threaded wheel), upstream's lit suite.
import type { BuildStepInput } from "../schema/build-step.js";
import type { AbiBuild } from "./abi.js";
import type { PlanContext } from "./plan-context.js";
import { venvPython } from "./plan-provision.js";
import type { ResolvedBuild } from "./platform-plan.js";

/**
 * One wheel's verify steps on every interpreter the plan names for it (ResolvedBuild.verifiedOn): the
 * checks of the file itself (packaging lint, abi3audit) once, with the building interpreter; install,
 * smoke and lit on each. An abi3 wheel built with 3.12 is so tested on 3.13 (3.14, 3.15) as installed
 * there, never rebuilt; the extra interpreters' steps are py<their version>/…
 */
export function wheelVerifySteps(c: PlanContext, b: Pick<ResolvedBuild, "abi" | "wheel" | "verifiedOn">, lit: boolean): BuildStepInput[] {
  return b.verifiedOn.flatMap((on, i) => verifySteps(c, { python: on.python, abi: b.abi }, on.interpreter, b.wheel, lit, i === 0));
}

function verifySteps(c: PlanContext, b: Pick<AbiBuild, "python" | "abi">, interpreter: string, wheel: string, lit: boolean, fileChecks: boolean): BuildStepInput[] {
  const { path, input } = c;
  const python = b.python;
  const py = `py${python}`;
  const final = path.join(c.outDir, wheel);
  const vdir = path.join(c.workDir, "verify-venvs", py);
  const vpy = venvPython(c.p, vdir);
  const script = (name: string): string => path.join(input.repoRoot, "containers", "verify", name);
  const checks: BuildStepInput[] = [
    { python, kind: "command", id: `${py}/check-wheel-contents`, phase: "verify", argv: [c.tool("check-wheel-contents"), final], why: "packaging lint of the final wheel (findings are recorded)", capture: true, mayFail: true },
    // A wheel tagged abi3 must call only the limited API of the CPython it claims: what abi3audit checks.
    ...(b.abi === "abi3"
      ? ([
          {
            python,
            kind: "command",
            id: `${py}/abi3audit`,
            phase: "verify",
            argv: [c.tool("abi3audit"), "--strict", "--report", final],
            why: "every extension within the limited API its abi3 tag claims (violations fail the build)",
            capture: true,
          },
        ] satisfies BuildStepInput[])
      : []),
  ];
  return [
    ...(fileChecks ? checks : []),
    { python, kind: "command", id: `${py}/verify-venv`, phase: "verify", argv: [interpreter, "-m", "venv", "--clear", vdir], why: "a fresh venv of the wheel's Python" },
    // In-process: the extras come from the built wheel's METADATA (pip install <wheel>[<extras>]).
    {
      python,
      kind: "in-process",
      id: `${py}/verify-install`,
      phase: "verify",
      name: "install-wheel",
      detail: `${vpy} -m pip install --prefer-binary ${final}[<its extras>] ${path.join(c.outDir, "<native wheel>")}`,
      why: "install the wheel and its native wheel as a user would, with every extra it provides (runtime requirements from the index, wheels preferred)",
      produces: [final],
    },
    // Free-threaded: PYTHON_GIL=0 (the GIL cannot come back), then a threaded check without it.
    {
      python,
      kind: "command",
      id: `${py}/smoke`,
      phase: "verify",
      argv: [vpy, script("smoke.py")],
      cwd: "/",
      env: b.abi === "freethreaded" ? { PYTHON_GIL: "0" } : {},
      why: "parse, pass pipeline, IR from Python, JIT",
      capture: true,
    },
    ...(b.abi === "freethreaded"
      ? ([
          {
            python,
            kind: "command",
            id: `${py}/threads`,
            phase: "verify",
            argv: [vpy, script("free_threaded.py")],
            cwd: "/",
            why: "IR built and walked from several threads; the extensions keep the GIL off on their own",
            capture: true,
          },
        ] satisfies BuildStepInput[])
      : []),
    ...(lit
      ? ([{ python, kind: "in-process", id: `${py}/lit`, phase: "verify", name: "upstream-lit", detail: "mlir/test/python against the installed wheel", why: "upstream's own Python test suite (lit + FileCheck)" }] satisfies BuildStepInput[])
      : []),
  ];
}
