// Which changed paths matter to the wheels (pure). One rule for every history source.
import type { ReleaseConfig } from "../schema/config.js";

export type MlirPaths = ReleaseConfig["mlirPaths"];

const matches = (path: string, prefix: string): boolean => (prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix);

export function isMlirRelevant(path: string, rules: MlirPaths): boolean {
  return rules.include.some((p) => matches(path, p)) && !rules.exclude.some((p) => matches(path, p));
}

export const mlirRelevant = (paths: readonly string[], rules: MlirPaths): string[] => paths.filter((p) => isMlirRelevant(p, rules));
