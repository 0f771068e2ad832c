// Phase 1 of a platform's plan: the tools venv from the family's hashed requirements file, then the
// compiler/SDK checks (what `mlir-release setup` runs alone and every build runs first).
import type { BuildStepInput } from "../schema/build-step.js";
import { venvProgram } from "./os-family.js";
import type { ListDir, Platform } from "./platform.js";

/** CPython version the tools venv is created with, on every platform. */
const TOOLS_PYTHON = "3.12";

export const REQUIREMENTS_DIR = ["containers", "provision", "requirements"] as const;

/** Repository-relative path of a hashed requirements file. */
export const requirementsPath = (name: string): string => [...REQUIREMENTS_DIR, `${name}.txt`].join("/");

/** The venv's interpreter on this platform (bin/python, Scripts\python.exe). */
export const venvPython = (p: Pick<Platform, "conventions">, dir: string): string => venvProgram(p.conventions, dir, "python");

/** Stamp key of a venv: the requirements file's sha256 and the interpreter it was made with. */
export const venvKey = (requirementsSha256: string, python: string): string => `${requirementsSha256}  ${python}\n`;

/** The interpreter the tools venv is made with: the build host's CPython TOOLS_PYTHON (the first candidate that exists, if told how to check). */
export function toolsInterpreter(p: Platform, env: Record<string, string | undefined>, listDir?: ListDir, exists?: (path: string) => boolean): string {
  const candidates = (p.toolsPythonCandidates ?? p.pythonCandidates)(TOOLS_PYTHON, env, listDir);
  return (exists && candidates.find((c) => exists(c))) || candidates[0]!;
}

/** The steps of `mlir-release setup`: tools venv from the hashed file, then the toolchain checks. */
export function provisionSteps(p: Platform, o: { toolsDir: string; toolsPython: string; requirements: { file: string; key: string } }): BuildStepInput[] {
  const stamp = p.conventions.path.join(o.toolsDir, ".mlir-release-requirements");
  const key = venvKey(o.requirements.key, o.toolsPython);
  const py = venvPython(p, o.toolsDir);
  return [
    {
      kind: "command",
      id: "provision/tools-venv",
      phase: "provision",
      argv: [o.toolsPython, "-m", "venv", "--clear", o.toolsDir],
      why: `the tools venv (${o.toolsDir}) from CPython ${TOOLS_PYTHON}, apart from the Pythons being built for`,
      produces: [o.toolsDir],
      upToDate: { stamp, key },
    },
    {
      kind: "command",
      id: "provision/tools-install",
      phase: "provision",
      argv: [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--require-hashes", "--no-deps", "-r", o.requirements.file],
      why: `every tool pinned with its hashes (${p.toolsFamily}): CMake, Ninja, the repair tool (${p.repair.tool}), check-wheel-contents, lit`,
      produces: [stamp],
      upToDate: { stamp, key, record: true },
    },
    ...p.toolchainChecks.map((c, i): BuildStepInput => ({
      kind: "command",
      id: `provision/check-toolchain-${i + 1}`,
      phase: "provision",
      argv: c.argv,
      why: c.why,
    })),
  ];
}
