// conda for a split release (issue 17 item 3), pure: the recipe list per platform — one native
// package where symlinks work (Linux, macOS), none on win-64 (self-contained per-Python packages
// there) — the per-Python recipe's pin and its symlinks into the native package's private root,
// and native member names that are not relative paths of plain names refused in one line.
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { condaRecipes, renderRecipe, symlinkTarget } from "../../src/publish/conda.js";
import { type Artifact } from "../../src/schema/artifact.js";
import { ReleaseManifest } from "../../src/schema/manifest.js";
import { basePlan } from "../support/release-fixture.js";

const sha = (c: string): string => c.repeat(64);
const V = "22.1.8";
const LINUX_NATIVE = `mlir_python_bindings_native-${V}-py3-none-manylinux_2_28_x86_64.whl`;
const WIN_NATIVE = `mlir_python_bindings_native-${V}-py3-none-win_amd64.whl`;
const MAC_NATIVE = `mlir_python_bindings_native-${V}-py3-none-macosx_11_0_arm64.whl`;
const LINUX_MEMBERS = [
  "mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1",
  "mlir/_mlir_libs/libmlir_c_runner_utils.so",
  "mlir/_mlir_libs/libmlir_runner_utils.so",
  `mlir_python_bindings_native-${V}.dist-info/METADATA`,
  `mlir_python_bindings_native-${V}.dist-info/sboms/auditwheel.cdx.json`,
  "mlir_python_bindings_native.libs/libzstd-6bb594bb.so.1.5.4",
];
const MAC_MEMBERS = ["mlir/_mlir_libs/libMLIRPythonCAPI.22.1.dylib", `mlir_python_bindings_native-${V}.dist-info/METADATA`];

function manifest(): ReleaseManifest {
  const wheel = (python: string, platform: Artifact["platform"], plat: string): Artifact => {
    const cp = `cp${python.replace(".", "")}`;
    return { kind: "wheel", fileName: `mlir_python_bindings-${V}-${cp}-${cp}-${plat}.whl`, sha256: sha(python.slice(-1)), size: 8_000_000, platform: platform!, python, tag: { python: cp, abi: cp, platform: plat } };
  };
  const native = (fileName: string, platform: Artifact["platform"], plat: string, c: string): Artifact => ({
    kind: "native-wheel",
    fileName,
    sha256: sha(c),
    size: 52_000_000,
    platform: platform!,
    tag: { python: "py3", abi: "none", platform: plat },
  });
  return ReleaseManifest.parse({
    schemaVersion: 1,
    plan: basePlan(V, "numbered", "c".repeat(40)),
    artifacts: [
      native(LINUX_NATIVE, "linux-x86_64", "manylinux_2_28_x86_64", "a"),
      native(WIN_NATIVE, "windows-x64", "win_amd64", "b"),
      native(MAC_NATIVE, "macos-arm64", "macosx_11_0_arm64", "d"),
      wheel("3.11", "linux-x86_64", "manylinux_2_28_x86_64"),
      wheel("3.12", "linux-x86_64", "manylinux_2_28_x86_64"),
      wheel("3.11", "windows-x64", "win_amd64"),
      wheel("3.12", "windows-x64", "win_amd64"),
      wheel("3.12", "macos-arm64", "macosx_11_0_arm64"),
    ],
    provenance: { builder: "test", pipelineVersion: "0" },
  });
}

type Recipe = { package: { name: string }; source: Array<{ file_name: string; sha256: string }>; build: { string: string; script: string[] }; requirements?: { run: string[] }; extra: Record<string, unknown> };
const members = { [LINUX_NATIVE]: LINUX_MEMBERS, [MAC_NATIVE]: MAC_MEMBERS };

describe("conda recipes of a split release", () => {
  const recipes = condaRecipes(manifest(), members);
  const byId = (id: string): Recipe => parse(renderRecipe(recipes.find((r) => r.id === id)!)) as Recipe;

  it("one native package for linux-64 and osx-arm64, none for win-64; then one package per Python", () => {
    expect(recipes.map((r) => `${r.kind} ${r.id} ${r.packageFile}`)).toEqual([
      `native linux-64-native mlir-python-bindings-native-${V}-0.conda`,
      `native osx-arm64-native mlir-python-bindings-native-${V}-0.conda`,
      `python linux-64-py311_0 mlir-python-bindings-${V}-py311_0.conda`,
      `python linux-64-py312_0 mlir-python-bindings-${V}-py312_0.conda`,
      `python win-64-py311_0 mlir-python-bindings-${V}-py311_0.conda`,
      `python win-64-py312_0 mlir-python-bindings-${V}-py312_0.conda`,
      `python osx-arm64-py312_0 mlir-python-bindings-${V}-py312_0.conda`,
    ]);
  });

  it("the native package: Python-independent, the native wheel unpacked under lib/<native dist>", () => {
    const n = byId("linux-64-native");
    expect(n.package.name).toBe("mlir-python-bindings-native");
    expect(n.build.string).toBe("0");
    expect(n.requirements).toBeUndefined();
    expect(n.source).toEqual([{ path: `../wheels/${LINUX_NATIVE}`, sha256: sha("a"), file_name: LINUX_NATIVE }]);
    expect(n.build.script).toEqual([`mkdir -p "$PREFIX/lib/mlir_python_bindings_native"`, `python3 -m zipfile -e "$SRC_DIR/${LINUX_NATIVE}" "$PREFIX/lib/mlir_python_bindings_native"`]);
    expect(n.extra).toMatchObject({ native_wheel_sha256: sha("a"), native_root: "lib/mlir_python_bindings_native" });
  });

  it("the per-Python Linux package pins the native one exactly and links every native member with the right ../ count", () => {
    const p = byId("linux-64-py312_0");
    expect(p.requirements!.run).toEqual(["python >=3.12,<3.13", `mlir-python-bindings-native ==${V}`]);
    expect(p.source.map((s) => s.file_name)).toEqual([`mlir_python_bindings-${V}-cp312-cp312-manylinux_2_28_x86_64.whl`]);
    expect(p.extra).toMatchObject({ wheel_sha256: sha("2"), native_wheel_sha256: sha("a") });
    const sp = "$PREFIX/lib/python3.12/site-packages";
    const links = p.build.script.filter((l) => l.startsWith("ln -s "));
    expect(links).toHaveLength(LINUX_MEMBERS.length);
    expect(links).toContain(`ln -s "../../../../mlir_python_bindings_native/mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1" "${sp}/mlir/_mlir_libs/libMLIRPythonCAPI.so.22.1"`);
    expect(links).toContain(`ln -s "../../../mlir_python_bindings_native/mlir_python_bindings_native.libs/libzstd-6bb594bb.so.1.5.4" "${sp}/mlir_python_bindings_native.libs/libzstd-6bb594bb.so.1.5.4"`);
    expect(links).toContain(`ln -s "../../../../mlir_python_bindings_native/mlir_python_bindings_native-${V}.dist-info/sboms/auditwheel.cdx.json" "${sp}/mlir_python_bindings_native-${V}.dist-info/sboms/auditwheel.cdx.json"`);
    // Every link, resolved from its own folder, lands on lib/<root>/<member>.
    for (const m of LINUX_MEMBERS) {
      const from = `lib/python3.12/site-packages/${m}`.split("/").slice(0, -1);
      for (const part of symlinkTarget("mlir_python_bindings_native", m).split("/")) part === ".." ? from.pop() : from.push(part);
      expect(from.join("/")).toBe(`lib/mlir_python_bindings_native/${m}`);
    }
    // The folders exist before the links (the per-Python wheel may not have them all).
    const mk = p.build.script.findIndex((l) => l === `mkdir -p "${sp}/mlir_python_bindings_native.libs"`);
    expect(mk).toBeGreaterThan(-1);
    expect(mk).toBeLessThan(p.build.script.findIndex((l) => l.startsWith("ln -s ")));
  });

  it("osx-arm64: the same scheme with the macOS member names", () => {
    const p = byId("osx-arm64-py312_0");
    expect(p.requirements!.run).toEqual(["python >=3.12,<3.13", `mlir-python-bindings-native ==${V}`]);
    expect(p.build.script.filter((l) => l.startsWith("ln -s "))).toEqual([
      `ln -s "../../../../mlir_python_bindings_native/${MAC_MEMBERS[0]}" "$PREFIX/lib/python3.12/site-packages/${MAC_MEMBERS[0]}"`,
      `ln -s "../../../mlir_python_bindings_native/${MAC_MEMBERS[1]}" "$PREFIX/lib/python3.12/site-packages/${MAC_MEMBERS[1]}"`,
    ]);
    expect(byId("osx-arm64-native").source[0]!.file_name).toBe(MAC_NATIVE);
  });

  it("win-64: self-contained per-Python packages (both wheels into site-packages), no pin, no links", () => {
    const w = byId("win-64-py311_0");
    expect(w.source.map((s) => s.file_name)).toEqual([`mlir_python_bindings-${V}-cp311-cp311-win_amd64.whl`, WIN_NATIVE]);
    expect(w.requirements!.run).toEqual(["python >=3.11,<3.12"]);
    expect(w.build.script).toEqual([
      `python -m zipfile -e "%SRC_DIR%\\mlir_python_bindings-${V}-cp311-cp311-win_amd64.whl" "%PREFIX%\\Lib\\site-packages"`,
      `python -m zipfile -e "%SRC_DIR%\\${WIN_NATIVE}" "%PREFIX%\\Lib\\site-packages"`,
    ]);
    expect(w.extra).toMatchObject({ native_wheel_sha256: sha("b") });
  });

  it("a native member that is not a relative path of plain names is refused in one line naming it and the wheel", () => {
    for (const bad of ["../evil.so", "/abs/libx.so", "mlir\\_mlir_libs\\x.dll", "mlir/../../x.so", "mlir//x.so", "mlir/ x.so"]) {
      let err: Error | undefined;
      try {
        condaRecipes(manifest(), { ...members, [LINUX_NATIVE]: [...LINUX_MEMBERS, bad] });
      } catch (e) {
        err = e as Error;
      }
      expect(err?.name, bad).toBe("PathEscapeError");
      expect(err!.message).toBe(`conda: native wheel ${LINUX_NATIVE} has a member ${JSON.stringify(bad)} that is not a relative path of plain names; rebuild the native wheel`);
      expect(err!.message).not.toContain("\n");
    }
  });

  it("without the native wheel's member list the recipes cannot be written (publishConda reads it from the stage)", () => {
    expect(() => condaRecipes(manifest(), { [MAC_NATIVE]: MAC_MEMBERS })).toThrow(new RegExp(`no member list for the native wheel ${LINUX_NATIVE.replace(/\./g, "\\.")}`));
  });
});
