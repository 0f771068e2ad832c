// Which changed paths matter to the wheels (pure). One rule for every history source.
import { enabledPackages } from "../packages/index.js";
import type { ReleaseConfig } from "../schema/config.js";

export type MlirPaths = ReleaseConfig["mlirPaths"];

const matches = (path: string, prefix: string): boolean => (prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix);

export function isMlirRelevant(path: string, rules: MlirPaths): boolean {
  return rules.include.some((p) => matches(path, p)) && !rules.exclude.some((p) => matches(path, p));
}

export const mlirRelevant = (paths: readonly string[], rules: MlirPaths): string[] => paths.filter((p) => isMlirRelevant(p, rules));

/**
 * The paths a release's "skip if unchanged" and its notes count: the config's mlirPaths, plus each
 * package the config enables (src/packages/: e.g. clang/ for the clang bindings). With no package
 * enabled, exactly mlirPaths. Each package's excludes name folders inside its own includes.
 */
export function releasePaths(config: Pick<ReleaseConfig, "mlirPaths" | "packages">): MlirPaths {
  const recipes = enabledPackages(config.packages ?? {}).map((p) => p.recipe.relevantPaths);
  if (!recipes.length) return config.mlirPaths;
  const union = (lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())];
  return { include: union([config.mlirPaths.include, ...recipes.map((r) => r.include)]), exclude: union([config.mlirPaths.exclude, ...recipes.map((r) => r.exclude)]) };
}
