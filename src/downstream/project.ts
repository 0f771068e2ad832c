// A downstream project as mlir-release sees it: a CMake project using MLIR's AddMLIRPython, with
// (optionally) a pyproject.toml in the scikit-build-core style of upstream's mlir/examples/standalone.
// Its facts (name, dependencies, nanobind requirement, package prefix, nanobind domain, targets)
// come from that file and flags; this module parses them (pure) and digests the source tree.
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { PyIdentifier } from "../schema/downstream.js";
import { parseOrExplain } from "../schema/parse.js";
import { CmakeVariable, normalizeDistribution } from "../schema/strings.js";
import { sha256Hex } from "../util/hash.js";

/** What the project's pyproject.toml says (every field optional: a project may have none). */
interface PyprojectFacts {
  name?: string;
  dependencies: string[];
  requiresPython?: string;
  /** The nanobind requirement of [build-system].requires, e.g. "nanobind>=2.9, <3.0". */
  nanobindRequirement?: string;
  buildTargets: string[];
  installComponents: string[];
  /** [tool.scikit-build.cmake.define]: plain values, and the defaults of {env, default} tables. */
  cmakeDefines: Record<string, string>;
}

const DefineValue = z.union([
  z.string(),
  z.boolean(),
  z.number(),
  z.object({ env: z.string().optional(), default: z.union([z.string(), z.boolean(), z.number()]).optional() }),
]);
const Pyproject = z.object({
  project: z
    .object({
      name: z.string().min(1).optional(),
      dependencies: z.array(z.string().min(1)).default([]),
      "requires-python": z.string().optional(),
    })
    .loose()
    .optional(),
  "build-system": z.object({ requires: z.array(z.string()).default([]) }).loose().optional(),
  tool: z
    .object({
      "scikit-build": z
        .object({
          build: z.object({ targets: z.array(z.string().regex(/^[A-Za-z0-9_.+-]+$/)).optional() }).loose().optional(),
          install: z.object({ components: z.array(z.string().regex(/^[A-Za-z0-9_.+-]+$/)).optional() }).loose().optional(),
          cmake: z.object({ define: z.record(CmakeVariable, DefineValue).optional() }).loose().optional(),
        })
        .loose()
        .optional(),
    })
    .loose()
    .optional(),
}).loose();

const cmakeValue = (v: string | boolean | number): string => (typeof v === "boolean" ? (v ? "ON" : "OFF") : String(v));

/** Parses pyproject.toml text (pure); `what` names the file in errors. */
export function parsePyproject(text: string, what: string): PyprojectFacts {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    throw new InvalidInputError(`${what}: not valid TOML: ${(e as Error).message.split("\n")[0]}`);
  }
  const p = parseOrExplain(Pyproject, raw, what);
  const sk = p.tool?.["scikit-build"];
  const cmakeDefines: Record<string, string> = {};
  for (const [k, v] of Object.entries(sk?.cmake?.define ?? {})) {
    if (typeof v === "object") {
      if (v.default !== undefined && v.default !== "") cmakeDefines[k] = cmakeValue(v.default);
    } else if (v !== "") cmakeDefines[k] = cmakeValue(v);
  }
  const nb = (p["build-system"]?.requires ?? []).find((r) => /^nanobind(\s|\[|[<>=!~;]|$)/i.test(r.trim()));
  return {
    ...(p.project?.name ? { name: normalizeDistribution(p.project.name) } : {}),
    dependencies: p.project?.dependencies ?? [],
    ...(p.project?.["requires-python"] ? { requiresPython: p.project["requires-python"] } : {}),
    ...(nb ? { nanobindRequirement: nb.trim() } : {}),
    buildTargets: sk?.build?.targets ?? [],
    installComponents: sk?.install?.components ?? [],
    cmakeDefines,
  };
}

export function readPyproject(projectDir: string): PyprojectFacts {
  const file = join(projectDir, "pyproject.toml");
  if (!existsSync(file)) return { dependencies: [], buildTargets: [], installComponents: [], cmakeDefines: {} };
  return parsePyproject(readFileSync(file, "utf8"), file);
}

/**
 * CMake entries mlir-release sets itself (toolchain, MLIR location, Python, package layout): the
 * project's own values for them are not passed on.
 */
const OURS = /^(MLIR_DIR|LLVM_DIR|CMAKE_BUILD_TYPE|CMAKE_GENERATOR|CMAKE_(C|CXX)_COMPILER(_LAUNCHER)?|LLVM_USE_LINKER|Python3?_EXECUTABLE|MLIR_BINDINGS_PYTHON_NB_DOMAIN|MLIR_PYTHON_PACKAGE_PREFIX|MLIR_BINDINGS_PYTHON_INSTALL_PREFIX|MLIR_ENABLE_BINDINGS_PYTHON|CMAKE_(C|CXX)_FLAGS|LLVM_EXTERNAL_LIT)$/;
export const passThroughDefines = (defs: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(defs).filter(([k]) => !OURS.test(k)).sort(([a], [b]) => (a < b ? -1 : 1)));

/** `--define NAME=VALUE` flags, validated. */
export function parseDefines(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of list) {
    const i = d.indexOf("=");
    const name = i > 0 ? d.slice(0, i) : d;
    if (i <= 0 || !CmakeVariable.safeParse(name).success) throw new InvalidInputError(`--define '${d}': expected NAME=VALUE with a CMake variable name`);
    if (OURS.test(name)) throw new InvalidInputError(`--define ${name}: mlir-release sets this itself (use the matching flag, e.g. --package-prefix or --nb-domain)`);
    out[name] = d.slice(i + 1);
  }
  return out;
}

/** Defaults of the package prefix and domain: flags, else the project's pyproject defaults. */
export function projectIdentity(
  facts: PyprojectFacts,
  flags: { packagePrefix?: string; nanobindDomain?: string },
): { packagePrefix: string; nanobindDomain: string } {
  const prefix = flags.packagePrefix ?? facts.cmakeDefines["MLIR_PYTHON_PACKAGE_PREFIX"];
  if (!prefix) {
    throw new InvalidInputError(
      "the project's package prefix is unknown: pass --package-prefix <name> (MLIR_PYTHON_PACKAGE_PREFIX) or set it in pyproject.toml [tool.scikit-build.cmake.define]",
    );
  }
  const domain = flags.nanobindDomain ?? facts.cmakeDefines["MLIR_BINDINGS_PYTHON_NB_DOMAIN"] ?? prefix;
  return {
    packagePrefix: parseOrExplain(PyIdentifier, prefix, "--package-prefix (MLIR_PYTHON_PACKAGE_PREFIX)"),
    nanobindDomain: parseOrExplain(PyIdentifier, domain, "--nb-domain (MLIR_BINDINGS_PYTHON_NB_DOMAIN)"),
  };
}

const SKIP = (name: string): boolean => name.startsWith(".") || name === "__pycache__" || name === "node_modules";

/** sha256 over every file of the project (sorted relative paths, each with its content's sha256). */
export function projectSourceDigest(projectDir: string): string {
  const lines: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      if (SKIP(e)) continue;
      const p = join(d, e);
      const st = lstatSync(p);
      const rel = relative(projectDir, p).split(sep).join("/");
      if (st.isDirectory()) walk(p);
      else if (st.isSymbolicLink()) lines.push(`${rel} -> link`);
      else if (st.isFile()) lines.push(`${rel} ${sha256Hex(readFileSync(p))}${st.mode & 0o111 ? " x" : ""}`);
    }
  };
  walk(projectDir);
  return sha256Hex(lines.join("\n"));
}
