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
