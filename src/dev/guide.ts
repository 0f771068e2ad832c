// "Build your extension against release X": generated from the manifest, so versions, digests and
// URLs are always the release's own.
import type { ReleaseManifest } from "../schema/manifest.js";
import { devPackageName } from "./devdist.js";
import { simpleUrlOf } from "../plan/install.js";

interface GuideLinks {
  /** PEP 503 index root (…/simple/ is appended), e.g. the project's GitHub Pages site. */
  indexUrl?: string;
  /** Where the release's files can be downloaded (a GitHub release's download folder). */
  downloadUrl?: string;
}

export function downstreamGuide(manifest: ReleaseManifest, links: GuideLinks = {}): string {
  const p = manifest.plan;
  const v = p.version;
  const nanobind = p.tools["nanobind"] ?? "<see manifest tools.nanobind>";
  const devPkg = devPackageName(p.devDistribution);
  const tarballs = manifest.artifacts.filter((a) => a.kind === "dev-tarball");
  const devWheels = manifest.artifacts.filter((a) => a.kind === "dev-wheel");
  // Our index is added to PyPI (nanobind and numpy come from there); without one, a folder of the release's files.
  const index = links.indexUrl ? ` --extra-index-url ${simpleUrlOf(links.indexUrl)}` : " --find-links dist";
  const pythons = [...new Set(p.matrix.map((m) => m.python))];
  const commitUrl = `${p.llvm.repository.replace(/\.git$/, "")}/commit/${p.llvm.commit}`;
  const lines = [
    `# Build an MLIR extension against ${p.distribution} ${v}`,
    "",
    `This release is LLVM ${p.llvm.version} at commit [\`${p.llvm.commit.slice(0, 12)}\`](${commitUrl})` +
      `${p.llvm.tag ? ` (tag \`${p.llvm.tag}\`)` : ""}. Its dev distribution is the exact LLVM/MLIR install the wheels were` +
      " built from, plus upstream's Python binding sources, so your extension and our `mlir` package agree on every header.",
    "",
    "## One command",
    "",
    "```sh",
    `mlir-release downstream build --project <your project> --release ${v} --index-url ${links.indexUrl ?? "<our index root>"}`,
    "```",
    "",
    `builds your package's wheels for every Python of this release's matrix (${pythons.join(", ") || "see the manifest"}) with nanobind` +
      ` ${nanobind} and a nanobind domain of your own (never \`${p.nanobindDomain}\`: a clash, or another nanobind in your` +
      " pyproject's build requirements, is refused before anything is built), pins" +
      ` \`${p.distribution}==${v}\` in their Requires-Dist, repairs them without a second copy of anything our wheels ship,` +
      " and checks each in a fresh venv next to our wheel from the index: both imported, IR mixing both, your lit tests." +
      " The wheels and a `downstream-manifest.json` (digests, the release built against) go to `--out`;" +
      " `mlir-release downstream rebuild <manifest> --project <dir> --index-url …` replays it bit for bit and" +
      " `mlir-release downstream resolve` answers which build of your project matches an mlir version." +
      " In GitHub Actions, add one job that calls this repository's reusable workflow:",
    "",
    "```yaml",
    "  mlir-wheels:",
    "    uses: <owner>/<repo>/.github/workflows/downstream.yml@<sha>",
    `    with: { project-path: ., release-version: "${v}", index-url: "${links.indexUrl ?? "<our index root>"}" }`,
    "```",
    "",
    "## Five commands (by hand)",
    "",
    ...(links.indexUrl
      ? []
      : [`\`dist\` is a folder holding this release's wheels${links.downloadUrl ? ` (from ${links.downloadUrl})` : ""}; the rest comes from PyPI.`, ""]),
    "```sh",
    "python -m venv .venv && . .venv/bin/activate",
    `pip install${index} "${p.distribution}==${v}" "${p.devDistribution}==${v}" "nanobind==${nanobind}" numpy`,
    `cmake -G Ninja -S . -B build -DMLIR_DIR="$(python -m ${devPkg} --cmake-dir)" \\`,
    '  -DMLIR_ENABLE_BINDINGS_PYTHON=ON -DPython3_EXECUTABLE="$(command -v python)" -DPython_EXECUTABLE="$(command -v python)"',
    "cmake --build build",
    "PYTHONPATH=build/python_packages/<your package> python -c 'import <your package>'",
    "```",
    "",
    `Instead of the dev wheel, the tarball can be unpacked anywhere (it is relocatable); pass` +
      ` \`-DMLIR_DIR=<unpacked>/lib/cmake/mlir\`.`,
    "",
    "| platform | dev tarball | sha256 | size |",
    "|---|---|---|---|",
    ...tarballs.map((a) => {
      const name = links.downloadUrl ? `[${a.fileName}](${links.downloadUrl.replace(/\/?$/, "/")}${a.fileName})` : a.fileName;
      return `| ${a.platform ?? "-"} | ${name} | \`${a.sha256}\` | ${(a.size / 1e6).toFixed(1)} MB |`;
    }),
    ...(devWheels.length ? ["", `Dev wheels: ${devWheels.map((a) => `\`${a.fileName}\``).join(", ")}.`] : []),
    "",
    "## Sharing one process with our `mlir`",
    "",
    ...(manifest.artifacts.some((a) => a.kind === "native-wheel")
      ? [
          `- Our wheels are split: each per-Python \`${p.distribution}\` wheel requires \`${p.distribution}-native==${v}\`, one` +
            " `py3-none` wheel per platform holding `libMLIRPythonCAPI` and the runtime libraries in the same" +
            " `mlir/_mlir_libs/` directory. Pin only `" + p.distribution + "==" + v + "`: pip brings the native wheel" +
            " with it; a repair of your wheel must exclude `libMLIRPythonCAPI` as ours does.",
        ]
      : []),
    `- Our bindings use the nanobind domain \`${p.nanobindDomain}\` and the package prefix \`mlir\`.`,
    "- A package that carries its own copy of the core bindings (as upstream's standalone example does, under" +
      " `mlir_standalone`) must use **its own** `MLIR_PYTHON_PACKAGE_PREFIX` and `MLIR_BINDINGS_PYTHON_NB_DOMAIN`;" +
      " then both load in one process without nanobind type clashes. Exchange IR between the two as text" +
      " (`get_asm(print_generic_op_form=True)` → `Module.parse`): they are separate MLIR instances.",
    `- Objects of one package are refused by the other's extensions with a \`TypeError\` (their type casters` +
      " look for capsules named after their own package prefix), never a crash.",
    "- An extension that operates on *our* `mlir` objects uses only the MLIR C API exported by our" +
      " `libMLIRPythonCAPI.so` (target `MLIRRelease::PythonCAPI` of the dev distribution; the exported symbols are" +
      " listed in `lib/mlir-release/capi-exports.map`), upstream's `NanobindAdaptors.h` type casters, and" +
      ` \`MLIR_PYTHON_PACKAGE_PREFIX=mlir.\` (nanobind domain \`${p.nanobindDomain}\`, \`MLIR_RELEASE_NB_DOMAIN\` in CMake).` +
      " mlir-release's `containers/verify/capi-extension` is such an extension, built and run by its tests. C++" +
      " dialect code linked into an extension is a second MLIR instance and needs a package of its own.",
    "",
  ];
  return lines.join("\n");
}
