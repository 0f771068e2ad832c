// Refusals before anything is built (pure): a downstream package must not share our nanobind domain
// or our import package, and must be built with the release's nanobind.
import * as pep440 from "@renovatebot/pep440";
import { InvalidInputError } from "../errors.js";
import { type ReleaseManifest } from "../schema/manifest.js";

export class DownstreamRefusedError extends InvalidInputError {
  override name = "DownstreamRefusedError";
}

interface CompatInput {
  release: ReleaseManifest;
  /** Our wheels' import package. */
  ourPackage: string;
  packagePrefix: string;
  nanobindDomain: string;
  /** --nanobind: the version the caller expects to build with. */
  nanobindFlag?: string;
  /** The project's [build-system] nanobind requirement, e.g. "nanobind>=2.9, <3.0". */
  nanobindRequirement?: string;
}

/** The release's nanobind version, or an error naming the manifest field. */
function releaseNanobind(m: ReleaseManifest): string {
  const v = m.plan.tools["nanobind"];
  if (!v) throw new DownstreamRefusedError(`release ${m.plan.version}: its manifest records no nanobind version (plan.tools.nanobind); it cannot be built against`);
  return v;
}

/** Throws DownstreamRefusedError with one line saying what clashes and what to do. */
export function checkCompatibility(c: CompatInput): { nanobind: string } {
  const v = c.release.plan.version;
  const ours = c.release.plan.nanobindDomain;
  if (c.nanobindDomain === ours) {
    throw new DownstreamRefusedError(
      `nanobind domain '${c.nanobindDomain}' is the domain of ${c.release.plan.distribution} ${v} itself: both packages would register the same types and clash in one process; pass --nb-domain <your own> (MLIR_BINDINGS_PYTHON_NB_DOMAIN)`,
    );
  }
  if (c.packagePrefix === c.ourPackage || c.packagePrefix.startsWith(`${c.ourPackage}.`)) {
    throw new DownstreamRefusedError(
      `package prefix '${c.packagePrefix}' is the import package of ${c.release.plan.distribution} ${v}: the wheels would overwrite each other; pass --package-prefix <your own> (MLIR_PYTHON_PACKAGE_PREFIX)`,
    );
  }
  const nanobind = releaseNanobind(c.release);
  if (c.nanobindFlag !== undefined && c.nanobindFlag !== nanobind) {
    throw new DownstreamRefusedError(
      `--nanobind ${c.nanobindFlag}: release ${v} was built with nanobind ${nanobind}; extensions sharing a process with it must use the same version (drop --nanobind or pass ${nanobind})`,
    );
  }
  if (c.nanobindRequirement) {
    const spec = c.nanobindRequirement.replace(/^nanobind\s*(\[[^\]]*\])?/i, "").split(";")[0]!.trim();
    if (spec && !pep440.satisfies(nanobind, spec)) {
      throw new DownstreamRefusedError(
        `the project requires '${c.nanobindRequirement}' (pyproject.toml [build-system].requires) but release ${v} was built with nanobind ${nanobind}; widen the requirement to admit ${nanobind} or build against a release with a matching nanobind`,
      );
    }
  }
  return { nanobind };
}
