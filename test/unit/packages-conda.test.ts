// conda for a package's wheel (issue 31), pure: condaRecipes of a release that holds the clang
// package's py3-none wheel gives, after the MLIR bindings' own recipes (unchanged), one package per
// platform and per Python the release has there, named after the package's distribution, unpacking
// that one wheel into the Python's site-packages, byte for byte.
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { condaRecipes, renderRecipe } from "../../src/publish/conda.js";
import { type Artifact } from "../../src/schema/artifact.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { basePlan } from "../support/release-fixture.js";

const V = "22.1.8";
const PLAT = "manylinux_2_36_x86_64";
const CLANG = `clang_python_bindings-${V}-py3-none-${PLAT}.whl`;
const NATIVE = `mlir_python_bindings_native-${V}-py3-none-${PLAT}.whl`;

function manifest(withPackage: boolean): ReleaseManifest {
  const wheel = (python: string): Artifact => {
    const cp = `cp${python.replace(".", "")}`;
    return { kind: "wheel", fileName: `mlir_python_bindings-${V}-${cp}-${cp}-${PLAT}.whl`, sha256: python.slice(-1).repeat(64), size: 8_000_000, platform: "linux-x86_64", python, tag: { python: cp, abi: cp, platform: PLAT } };
  };
  const tag = { python: "py3", abi: "none", platform: PLAT };
  const artifacts: Artifact[] = [
    { kind: "native-wheel", fileName: NATIVE, sha256: "a".repeat(64), size: 52_000_000, platform: "linux-x86_64", tag },
    wheel("3.11"),
    wheel("3.13"),
    ...(withPackage ? [{ kind: "package-wheel" as const, fileName: CLANG, sha256: "b".repeat(64), size: 43_000_000, platform: "linux-x86_64" as const, tag }] : []),
  ];
  const plan = { ...basePlan(V, "numbered", "c".repeat(40)), ...(withPackage ? { packages: [{ id: "clang", distribution: "clang-python-bindings" }] } : {}) };
  return ReleaseManifest.parse({ schemaVersion: 1, plan, artifacts, provenance: { builder: "test", pipelineVersion: "0" } });
}

type Recipe = { package: { name: string }; source: Array<{ path: string; file_name: string; sha256: string }>; build: { string: string; script: string[]; dynamic_linking: unknown }; requirements: { run: string[] }; extra: Record<string, unknown> };
const members = { [NATIVE]: ["mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1", `mlir_python_bindings_native-${V}.dist-info/METADATA`] };

describe("conda recipes of a release with the clang package", () => {
  it("the MLIR recipes stay as they are; then one clang-python-bindings package per Python of the platform", () => {
    const before = condaRecipes(manifest(false), members);
    const after = condaRecipes(manifest(true), members);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((r) => `${r.kind} ${r.id} ${r.packageFile} ${r.wheels.map((w) => w.fileName).join(",")}`)).toEqual([
      `python linux-64-clang-python-bindings-py311_0 clang-python-bindings-${V}-py311_0.conda ${CLANG}`,
      `python linux-64-clang-python-bindings-py313_0 clang-python-bindings-${V}-py313_0.conda ${CLANG}`,
    ]);
  });

  it("each unpacks the one wheel into its Python's site-packages, keeps its bytes and pins that Python", () => {
    const r = condaRecipes(manifest(true), members).find((x) => x.id === "linux-64-clang-python-bindings-py313_0")!;
    const y = parse(renderRecipe(r)) as Recipe;
    expect(y.package.name).toBe("clang-python-bindings");
    expect(y.source).toEqual([{ path: `../wheels/${CLANG}`, sha256: "b".repeat(64), file_name: CLANG }]);
    expect(y.build.string).toBe("py313_0");
    expect(y.build.script).toEqual(['mkdir -p "$PREFIX/lib/python3.13/site-packages"', `python3 -m zipfile -e "$SRC_DIR/${CLANG}" "$PREFIX/lib/python3.13/site-packages"`]);
    expect(y.build.dynamic_linking).toEqual({ binary_relocation: false });
    expect(y.requirements.run).toEqual(["python >=3.13,<3.14"]);
    expect(y.extra["wheel_sha256"]).toBe("b".repeat(64));
  });
});
