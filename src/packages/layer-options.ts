// What enabling packages does to a from-source layer's CMake options: each recipe's projects join
// LLVM_ENABLE_PROJECTS and its components join LLVM_DISTRIBUTION_COMPONENTS (when the layer installs
// a distribution at all). No package enabled: the options are returned as they are, so the layer's
// key (a hash of them) and every layer already built or stored for it stay the same.
import type { EnabledPackage } from "./recipe.js";

const addTo = (list: string | undefined, more: readonly string[]): string => {
  const items = (list ?? "").split(";").filter(Boolean);
  for (const m of more) if (!items.includes(m)) items.push(m);
  return items.join(";");
};

export function layerOptionsWithPackages(options: Readonly<Record<string, string>>, packages: readonly EnabledPackage[]): Record<string, string> {
  if (!packages.length) return { ...options };
  const projects = packages.flatMap((p) => p.recipe.layer.projects);
  const components = packages.flatMap((p) => p.recipe.layer.distributionComponents);
  return {
    ...options,
    LLVM_ENABLE_PROJECTS: addTo(options["LLVM_ENABLE_PROJECTS"], projects),
    ...(options["LLVM_DISTRIBUTION_COMPONENTS"] !== undefined ? { LLVM_DISTRIBUTION_COMPONENTS: addTo(options["LLVM_DISTRIBUTION_COMPONENTS"], components) } : {}),
  };
}
