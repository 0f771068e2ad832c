// Command-line tools on PATH after `pip install`: console entry points of the dev wheel that run
// the binaries its install tree already ships (dist/bin, next to the libMLIR/libLLVM they link).
//
// Why the dev wheel and not a separate `<distribution>-tools` wheel: the layer's tools are linked
// against libMLIR.so and libLLVM.so (230 MB unpacked, plus their system libraries), which the dev
// wheel carries already for downstream builds. A tools wheel would store a second copy per platform
// and release (or relink every tool statically, minutes of link per platform for a 100+ MB
// mlir-opt); the people who run mlir-opt and FileCheck are the ones building and testing against
// the dev distribution. See README "Tools on PATH".
import { renderWheelTemplate } from "./templates.js";

/**
 * The commands exposed, and why: what MLIR users run by hand (mlir-opt, mlir-translate), what
 * dialect authors run (mlir-tblgen), what editors start (mlir-lsp-server), and what lit tests in
 * downstream projects call (FileCheck, not, count, split-file). CMake-facing tools (llvm-config,
 * llvm-tblgen, ...) stay reachable through `--prefix` only, so they never shadow a system LLVM.
 */
export const TOOL_COMMANDS = [
  "mlir-opt",
  "mlir-translate",
  "mlir-tblgen",
  "mlir-lsp-server",
  "FileCheck",
  "not",
  "count",
  "split-file",
] as const;

// A prefix keeps every name a valid identifier (`not` is a Python keyword).
export const pyName = (cmd: string): string => `run_${cmd.replace(/[^A-Za-z0-9]/g, "_")}`;

/** command → "<pkg>._tools:<function>" for entry_points.txt. */
export function toolConsoleScripts(pkg: string, commands: readonly string[] = TOOL_COMMANDS): Record<string, string> {
  return Object.fromEntries(commands.map((c) => [c, `${pkg}._tools:${pyName(c)}`]));
}

/** `<pkg>/_tools.py` from containers/wheels/tools.py.in: one function per command that replaces the process with the tool. */
export function toolsModule(commands: readonly string[] = TOOL_COMMANDS): string {
  return renderWheelTemplate("tools.py.in", { FUNCTIONS: entryPointFunctions(commands) });
}

/** One entry point per command (containers/wheels/entry-point.py.in: a function that calls the module's `_run`), two blank lines apart. */
export const entryPointFunctions = (commands: readonly string[]): string =>
  commands.map((c) => renderWheelTemplate("entry-point.py.in", { FUNCTION: pyName(c), COMMAND: JSON.stringify(c) })).join("\n\n");
