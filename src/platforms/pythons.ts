// The runner's Pythons: `--python` lists, and finding a CPython interpreter and a venv outside the
// wheel build (downstream builds and tests);
// the wheel build uses the platform module's pythonCandidates and its hashed venv steps (src/platforms/platform-plan.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecEnv } from "../exec/env.js";
import { interpreterTags, overrideVariable, parsePython } from "./tags.js";
import { InvalidInputError } from "../errors.js";
import { PythonVersion } from "../schema/strings.js";

interface PythonInterpreter {
  version: string; // "3.12"
  executable: string;
}

/**
 * Locates CPython X.Y: an explicit MLIR_RELEASE_PYTHON_3_12 variable, pyenv, the manylinux
 * /opt/python layout, then pythonX.Y on PATH. A free-threaded 3.Nt is looked for as the explicit
 * MLIR_RELEASE_PYTHON_3_13T, the one ci/setup.sh builds under <cacheDir>/python3.13t, the
 * manylinux /opt/python/cp313-cp313t, then python3.13t on PATH. `overrides` holds the variables
 * (the resolved options' host.discoveryEnv).
 */
export async function findPython(env: ExecEnv, version: string, cacheDir?: string, overrides: Readonly<Record<string, string | undefined>> = {}): Promise<PythonInterpreter> {
  const spec = parsePython(version);
  const variable = overrideVariable(version);
  const override = overrides[variable] ?? (spec.freeThreaded ? undefined : overrides[`MLIR_RELEASE_PYTHON_${version.replace(".", "_")}`]);
  if (override) return { version, executable: override };
  const candidates: string[] = [];
  if (spec.freeThreaded) {
    if (cacheDir) candidates.push(join(cacheDir, `python${version}`, "bin", `python${version}`));
  } else {
    try {
      const r = await env.run(["bash", "-c", `pyenv prefix "$(pyenv versions --bare | grep -E '^${version.replace(".", "\\.")}(\\.[0-9]+)?$' | sort -V | tail -n1)"`], {
        capture: true,
      });
      const prefix = r.stdout.trim();
      if (prefix) candidates.push(join(prefix, "bin", `python${version}`));
    } catch {
      // no pyenv, or no such version under it
    }
  }
  const tags = interpreterTags(version, spec.freeThreaded ? "freethreaded" : "cpython");
  const optDir = `/opt/python/${tags.python}-${tags.abi}`;
  candidates.push(`${optDir}/bin/python`);
  for (const c of candidates) if (existsSync(c)) return { version, executable: c };
  try {
    const r = await env.run(["bash", "-c", `command -v python${version}`], { capture: true });
    if (r.stdout.trim()) return { version, executable: r.stdout.trim() };
  } catch {
    // fall through
  }
  if (spec.freeThreaded) {
    throw new InvalidInputError(
      `no free-threaded CPython ${version} found (looked in ${cacheDir ? `${join(cacheDir, `python${version}`)}, ` : ""}${optDir}, PATH); ` +
        `run MLIR_RELEASE_FREE_THREADED=1 bash ci/setup.sh (it builds 3.13t from Debian's source, pinned by sha256, under .cache/python3.13t) or set ${variable}=/path/to/python${version}`,
    );
  }
  throw new InvalidInputError(
    `no CPython ${version} found (looked in pyenv, ${optDir}, PATH); ` +
      `install it or set MLIR_RELEASE_PYTHON_${version.replace(".", "_")}=/path/to/python`,
  );
}

/** A venv with the build requirements (nanobind pinned), cached by (version, requirements). */
export async function buildVenv(
  env: ExecEnv,
  py: PythonInterpreter,
  dir: string,
  requirements: string[],
): Promise<string> {
  const python = join(dir, "bin", "python");
  const stamp = join(dir, ".mlir-release-reqs");
  const want = requirements.join("\n");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return python;
  await env.run([py.executable, "-m", "venv", "--clear", dir]);
  await env.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", ...requirements]);
  writeFileSync(stamp, want);
  return python;
}

export function parsePythons(list: string): string[] {
  const all = list.split(",").map((p) => p.trim());
  if (all.some((p) => !p) && list.trim()) throw new InvalidInputError(`--python '${list}': an empty entry between commas; give versions such as 3.10,3.12`);
  const out = all.filter(Boolean);
  for (const p of out) {
    if (!PythonVersion.safeParse(p).success) throw new InvalidInputError(`--python '${p}': expected versions such as 3.10,3.12`);
  }
  if (!out.length) throw new InvalidInputError("--python: no version given");
  return out;
}
