// An artifact of a release (wheel, native wheel, tools wheel, dev distribution, conda package, notes).
import { z } from "zod";
import { PlatformId, WheelTag } from "./platform.js";
import { PlainFileName, PythonVersion, Sha256 } from "./strings.js";

/** "native-wheel": the one py3-none wheel per platform (`<distribution>-native`) every per-Python wheel pins.
 *  "tools-wheel": the self-contained command-line tools per platform (`<distribution>-tools`, src/wheels/tools-wheel.ts).
 *  "package-wheel": a package built besides the MLIR bindings (src/packages/, e.g. clang's bindings), its own distribution. */
export const ArtifactKind = z.enum(["wheel", "native-wheel", "tools-wheel", "package-wheel", "dev-wheel", "dev-tarball", "conda", "notes"]);
export type ArtifactKind = z.infer<typeof ArtifactKind>;
/** The artifact kinds that are wheels (served by an index, PEP 658 metadata beside them). */
export const isWheelKind = (k: string): boolean => k === "wheel" || k === "native-wheel" || k === "tools-wheel" || k === "package-wheel" || k === "dev-wheel";
/** The distribution (project) a wheel artifact belongs to; a package's is its file name's (PEP 427 escaped, normalized back). */
export const wheelProject = (k: string, plan: { distribution: string; devDistribution: string }, fileName = ""): string =>
  k === "dev-wheel"
    ? plan.devDistribution
    : k === "native-wheel"
      ? `${plan.distribution}-native`
      : k === "tools-wheel"
        ? `${plan.distribution}-tools`
        : k === "package-wheel"
          ? (fileName.split("-")[0] ?? "").replace(/_/g, "-")
          : plan.distribution;
export const Artifact = z.strictObject({
  kind: ArtifactKind,
  fileName: PlainFileName,
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  platform: PlatformId.optional(),
  python: PythonVersion.optional(),
  tag: WheelTag.optional(),
});
export type Artifact = z.infer<typeof Artifact>;
/** Artifacts (and SHA256SUMS lines) are listed by file name in code-unit order, the same on every host. */
export const byFileName = (a: { fileName: string }, b: { fileName: string }): number => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0);
