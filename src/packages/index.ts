// The packages a release can build besides the MLIR bindings, by the id release.config.json's
// `packages` and `build --package` name them. Adding one: a recipe (src/packages/<id>/recipe.ts)
// and its programs under containers/<id>/.
import { InvalidInputError } from "../errors.js";
import { clangRecipe } from "./clang/recipe.js";
import type { EnabledPackage, PackageRecipe } from "./recipe.js";

export type { EnabledPackage, PackageRecipe, RecipeBuildContext, RecipeCommand, RecipeTestContext, TestCounts } from "./recipe.js";

export const RECIPES: Readonly<Record<string, PackageRecipe>> = { [clangRecipe.id]: clangRecipe };

/** A package's settings in release.config.json (`packages.<id>`). */
export interface PackageConfig {
  enabled?: boolean;
  distribution?: string;
}

/**
 * The packages one build makes: those the config enables and those asked for by id (`--package`),
 * each with the config's distribution name or the recipe's default. An unknown id is refused.
 */
export function enabledPackages(config: Readonly<Record<string, PackageConfig>>, asked: readonly string[] = []): EnabledPackage[] {
  for (const id of [...Object.keys(config), ...asked]) {
    if (!RECIPES[id]) throw new InvalidInputError(`unknown package '${id}': the packages are ${Object.keys(RECIPES).join(", ")}`);
  }
  return Object.values(RECIPES)
    .filter((r) => config[r.id]?.enabled || asked.includes(r.id))
    .map((recipe) => ({ recipe, distribution: config[recipe.id]?.distribution ?? recipe.defaultDistribution }));
}

/** The llvm-project paths the enabled packages add to the source step's (none: the tree stays the bindings'). */
export const packageSourcePaths = (packages: readonly EnabledPackage[] = []): string[] => [...new Set(packages.flatMap((p) => p.recipe.sourcePaths))];

/** The top-level llvm-project folders a from-source layer's tree needs for them (their LLVM projects). */
export const packageLayerPaths = (packages: readonly EnabledPackage[] = []): string[] => [...new Set(packages.flatMap((p) => p.recipe.layer.projects))];

/** The packages a plan (or a manifest's plan) names, as a build enables them: exactly those, under the plan's names. */
export const plannedPackages = (planned: readonly { id: string; distribution: string }[] = []): EnabledPackage[] =>
  enabledPackages(Object.fromEntries(planned.map((p) => [p.id, { enabled: true, distribution: p.distribution }])));
