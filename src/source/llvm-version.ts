// The LLVM version a source tree declares: cmake/Modules/LLVMVersion.cmake (LLVM ≥ 18) or, in
// older trees, llvm/CMakeLists.txt. Both use `set(LLVM_VERSION_MAJOR 22)` forms.
import { InvalidInputError } from "../errors.js";

export interface DeclaredLlvmVersion {
  major: number;
  minor: number;
  patch: number;
  suffix: string;
  /** X.Y.Z, plus "-<suffix>" when one is set (e.g. "-rc2"). */
  text: string;
}

export function parseLlvmVersionCmake(cmakeText: string, where: string): DeclaredLlvmVersion {
  const get = (name: string): string | undefined => {
    const m = new RegExp(String.raw`set\(\s*${name}(?:\s+"?([^")\s]*)"?)?\s*\)`).exec(cmakeText);
    return m ? (m[1] ?? "") : undefined;
  };
  const major = get("LLVM_VERSION_MAJOR");
  const minor = get("LLVM_VERSION_MINOR");
  const patch = get("LLVM_VERSION_PATCH");
  if (!major || !minor || !patch || ![major, minor, patch].every((v) => /^\d+$/.test(v))) {
    throw new InvalidInputError(`${where}: no LLVM_VERSION_MAJOR/MINOR/PATCH set() found`);
  }
  const suffix = (get("LLVM_VERSION_SUFFIX") ?? "").replace(/^git$/, "");
  const text = `${major}.${minor}.${patch}${suffix ? `-${suffix.replace(/^-/, "")}` : ""}`;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), suffix, text };
}
