// What the dev tree's programs and shared libraries need from the system beyond the C/C++ runtime.
// The dev tree is the layer's install tree as is (not repaired, so CMake finds what it expects): from
// Debian's layer its libLLVM and tools need libz3, libxml2, libedit, libffi, libz and libzstd, which
// the dev wheel does not carry; its METADATA says so (issue 29 item 2). A from-source layer is built
// without them (config layerCmakeOptions) and needs none.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { neededOf, SYSTEM_LIBRARY } from "../wheels/tools-wheel.js";

const isElf = (file: string): boolean => {
  try {
    return statSync(file).isFile() && readFileSync(file).subarray(0, 4).toString("latin1") === "\x7fELF";
  } catch {
    return false;
  }
};

/** The libraries bin/* and lib/*.so* of an install tree need that are neither the C/C++ runtime nor in its own lib/ (sorted). */
export async function systemDependencies(root: string): Promise<string[]> {
  const list = (d: string): string[] => {
    try {
      return readdirSync(d).sort();
    } catch {
      return [];
    }
  };
  const own = new Set(list(join(root, "lib")));
  const files = [...list(join(root, "bin")).map((f) => join(root, "bin", f)), ...list(join(root, "lib")).filter((f) => /\.so(\.\d+)*$/.test(f)).map((f) => join(root, "lib", f))].filter(isElf);
  const out = new Set<string>();
  for (const f of files) for (const n of await neededOf(f)) if (!SYSTEM_LIBRARY.test(n) && !own.has(n)) out.add(n);
  return [...out].sort();
}

/** The dev wheel's Summary and Description: what it is, and what of the system its binaries need. */
export function devWheelDescription(base: string, deps: readonly string[]): { summary: string; description?: string } {
  if (!deps.length) return { summary: base };
  return {
    summary: `${base}; its tools and libLLVM need the system's ${deps.join(", ")} (not bundled)`,
    description: [
      `${base}.`,
      "",
      `Its binaries (mlir-opt, FileCheck, …) and shared libraries are the LLVM layer's install tree as is, not repaired: they need these system libraries, which this wheel does not carry: ${deps.map((d) => `\`${d}\``).join(", ")}.`,
      "For mlir-opt, FileCheck and the other tools without them, install the self-contained tools wheel (`<distribution>-tools`).",
    ].join("\n"),
  };
}
