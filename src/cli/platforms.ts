// `mlir-release platforms`: the CI matrix from the platform modules (what the workflows consume).
import { allPlatformVariants } from "../platforms/index.js";
import { existingDir } from "../util/paths.js";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../errors.js";
import { PythonVersion } from "../schema/strings.js";
import { probeLlvmAbiFacts } from "../platforms/abi.js";
import { ciJobs, matrixEntries } from "../platforms/matrix.js";

const DEFAULT_MLIR_CMAKE_DIR = "/usr/lib/llvm-22/lib/cmake/mlir";

export function register(program: Command): void {
  program
    .command("platforms")
    .description("List the platform variants and what each builds (CI jobs, or plan matrix entries with --entries)")
    .option("--llvm-tree <dir>", "llvm-project tree to read the ABI facts from")
    .option("--mlir-cmake-dir <dir>", "installed MLIR CMake dir to read them from", DEFAULT_MLIR_CMAKE_DIR)
    .option("--python <versions>", "comma-separated CPython versions of the matrix (default: each platform's Python matrix at --date)")
    .option("--date <YYYY-MM-DD>", "the date whose CPython calendar decides the default matrix (default: today)")
    .option("--entries", "print ReleasePlan matrix entries instead of CI jobs")
    .option("--json", "JSON output")
    .action((o: { llvmTree?: string; mlirCmakeDir: string; python?: string; date?: string; entries?: boolean; json?: boolean }) => {
      const pythons = o.python === undefined ? undefined : o.python.split(",").map((p) => p.trim());
      const offered = new Set(allPlatformVariants().flatMap((p) => p.runner.pythons));
      for (const p of pythons ?? []) {
        if (!PythonVersion.safeParse(p).success) throw new InvalidInputError(`--python '${o.python}': '${p}' is not a version such as 3.11 or 3.13t`);
        if (!offered.has(p)) throw new InvalidInputError(`--python ${p}: no platform's runner provides CPython ${p} (known: ${[...offered].sort().join(", ")}); it would be dropped`);
      }
      if (o.date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(o.date) || Number.isNaN(Date.parse(`${o.date}T00:00:00Z`)))) {
        throw new InvalidInputError(`--date '${o.date}': expected YYYY-MM-DD`);
      }
      const date = o.date ?? new Date().toISOString().slice(0, 10);
      if (o.llvmTree !== undefined) existingDir(o.llvmTree, "--llvm-tree");
      // Without --llvm-tree the CMake dir is the only source of the ABI facts: a wrong one is an error.
      if (o.mlirCmakeDir !== DEFAULT_MLIR_CMAKE_DIR && o.llvmTree === undefined) existingDir(o.mlirCmakeDir, "--mlir-cmake-dir");
      const cmakeDir = resolve(o.mlirCmakeDir);
      const llvm = probeLlvmAbiFacts({
        ...(o.llvmTree ? { sourceRoot: resolve(o.llvmTree) } : {}),
        ...(existsSync(cmakeDir) ? { mlirCmakeDir: cmakeDir } : {}),
      });
      if (o.json) {
        const data = o.entries ? matrixEntries({ llvm, date, ...(pythons ? { pythons } : {}) }) : ciJobs({ llvm, date, ...(pythons ? { pythons } : {}) });
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      const jobs = ciJobs({ llvm, date, ...(pythons ? { pythons } : {}) });
      for (const j of jobs) {
        process.stdout.write(`${j.name.padEnd(30)} ${j.runsOn.padEnd(16)} ${(j.image ?? "-").padEnd(24)} ${j.pythons.join(" ")}\n`);
      }
      process.stdout.write(`abi (LLVM ${llvm.version}): ${jobs[0]?.abi.reason ?? ""}\n`);
    });
}
