// conda packages of a release's package wheels (src/packages/, kind `package-wheel`; issue 31). A
// package's wheel is Python-independent (py3-none-<platform>) but platform-specific, and conda installs
// Python modules into `lib/pythonX.Y/site-packages`: so, like the MLIR bindings' per-Python packages,
// one conda package per platform and per Python the release has a wheel for there, each unpacking the
// same wheel's files byte for byte into that Python's site-packages (nothing is relocated: a package's
// libraries find what they need next to themselves, the way the repaired wheel does). Pure, from the
// manifest; publish/conda.ts builds the recipes with the others.
import type { Artifact } from "../schema/artifact.js";
import type { ReleaseManifest } from "../schema/manifest.js";
import type { PlatformId } from "../schema/platform.js";
import { wheelProject } from "../schema/artifact.js";

/** What publish/conda.ts shares with these recipes: the conda subdir of a platform, how a wheel is named as a source, the next minor. */
export interface PackageCondaContext {
  subdir(platform: PlatformId): string;
  source(wheel: Artifact): Record<string, string | undefined>;
  nextMinor(python: string): string;
}

/** One recipe as publish/conda.ts's CondaRecipe (kind "python": it serves one Python). */
export interface PackageCondaRecipe {
  id: string;
  kind: "python";
  subdir: string;
  wheels: Artifact[];
  packageFile: string;
  recipe: Record<string, unknown>;
}

/** Every package wheel of the manifest, once per Python of its platform's per-Python wheels. */
export function packageCondaRecipes(m: ReleaseManifest, c: PackageCondaContext): PackageCondaRecipe[] {
  const version = m.plan.version;
  const out: PackageCondaRecipe[] = [];
  for (const a of m.artifacts) {
    if (a.kind !== "package-wheel" || !a.platform) continue;
    const dist = wheelProject(a.kind, m.plan, a.fileName);
    const subdir = c.subdir(a.platform);
    const windows = a.platform === "windows-x64";
    const pythons = [...new Set(m.artifacts.filter((w) => w.kind === "wheel" && w.platform === a.platform && w.python).map((w) => w.python!))].sort();
    for (const python of pythons) {
      const py = python.replace(/t$/, "");
      const build = `py${py.replace(".", "")}${python.endsWith("t") ? "t" : ""}_0`;
      const script = windows
        ? [`python -m zipfile -e "%SRC_DIR%\\${a.fileName}" "%PREFIX%\\Lib\\site-packages"`]
        : [`mkdir -p "$PREFIX/lib/python${python}/site-packages"`, `python3 -m zipfile -e "$SRC_DIR/${a.fileName}" "$PREFIX/lib/python${python}/site-packages"`];
      const recipe = {
        schema_version: 1,
        context: { version },
        package: { name: dist, version: "${{ version }}" },
        source: [c.source(a)],
        // Already repaired (auditwheel grafted what the library needs): keep its bytes.
        build: { number: 0, string: build, script, dynamic_linking: { binary_relocation: false }, prefix_detection: { ignore: true } },
        requirements: { run: [`python >=${py},<${c.nextMinor(py)}`] },
        about: { homepage: "https://llvm.org", license: "Apache-2.0 WITH LLVM-exception", summary: `${dist} ${version} (LLVM ${m.plan.llvm.version}), repackaged from ${a.fileName}` },
        extra: { llvm_commit: m.plan.llvm.commit, wheel_sha256: a.sha256 },
      };
      out.push({ id: `${subdir}-${dist}-${build}`, kind: "python", subdir, wheels: [a], packageFile: `${dist}-${version}-${build}.conda`, recipe });
    }
  }
  return out;
}
